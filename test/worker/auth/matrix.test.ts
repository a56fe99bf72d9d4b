import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  api,
  cookieHeadersFrom,
  createOrg,
  createPrincipals,
  jsonInit,
  makeToken,
  PRINCIPALS,
  type Principal,
  type PrincipalName,
  type PrincipalSet,
  TEST_ORIGIN,
  uniqueEmail,
} from '../../support/auth.ts';

/**
 * Every route of the accounts issue × every principal → the status it must get.
 * Mutating rows build a fresh target per principal so one principal's success
 * cannot change what the next one sees.
 */

type Via = 'cookie' | 'token';
type Row = {
  route: string;
  run: (p: PrincipalSet, who: Principal) => Promise<Response>;
  expect: (via: Via) => Record<PrincipalName, number>;
};

const dead = { anonymous: 401, 'revoked-token': 401, 'expired-token': 401 } as const;
const all = (ok: number, otherOrg = ok) => ({
  ...dead,
  viewer: ok,
  editor: ok,
  admin: ok,
  owner: ok,
  'other-org': otherOrg,
});
const adminUp = (ok: number) => ({
  ...dead,
  viewer: 403,
  editor: 403,
  admin: ok,
  owner: ok,
  'other-org': 404,
});
/** Session-only routes refuse tokens with 403 whatever the role. */
const sessionOnly = (
  via: Via,
  rows: Record<PrincipalName, number>,
  tokenStatus = 403,
): Record<PrincipalName, number> =>
  via === 'cookie'
    ? rows
    : {
        ...rows,
        viewer: tokenStatus,
        editor: tokenStatus,
        admin: tokenStatus,
        owner: tokenStatus,
        'other-org': tokenStatus,
      };

const h = (who: Principal) => who.headers;

async function freshSession(who: Principal): Promise<Record<string, string> | null> {
  if (!who.user) return null;
  const res = await api(
    '/api/auth/sign-in/email',
    jsonInit('POST', { email: who.user.email, password: who.user.password }, { origin: TEST_ORIGIN }),
  );
  return cookieHeadersFrom(res);
}

const ROWS: Row[] = [
  {
    route: 'POST /api/auth/sign-up/email',
    run: (_p, who) =>
      api(
        '/api/auth/sign-up/email',
        jsonInit('POST', { email: uniqueEmail(), password: 'long enough pw', name: 'N' }, h(who)),
      ),
    // Anyone may sign up; only a dead Bearer header is refused before the route runs.
    expect: () => ({ ...all(201), anonymous: 201 }),
  },
  {
    route: 'POST /api/auth/sign-in/email',
    run: (p, who) =>
      api(
        '/api/auth/sign-in/email',
        jsonInit('POST', { email: p.org.owner.email, password: p.org.owner.password }, h(who)),
      ),
    expect: () => ({ ...all(200), anonymous: 200 }),
  },
  {
    route: 'POST /api/auth/sign-out',
    run: async (_p, who) => {
      // Sign out a second session of the same user, so the principal keeps working.
      const headers = who.headers.Cookie ? await freshSession(who) : who.headers;
      return api('/api/auth/sign-out', { method: 'POST', headers: headers ?? who.headers });
    },
    // A token has no session to end.
    expect: (via) => sessionOnly(via, all(200), 401),
  },
  { route: 'GET /api/me', run: (_p, who) => api('/api/me', { headers: h(who) }), expect: () => all(200) },
  { route: 'GET /api/orgs', run: (_p, who) => api('/api/orgs', { headers: h(who) }), expect: () => all(200) },
  {
    route: 'POST /api/orgs',
    run: (_p, who) => api('/api/orgs', jsonInit('POST', { name: 'Scratch' }, h(who))),
    expect: (via) => sessionOnly(via, all(201)),
  },
  {
    route: 'PATCH /api/orgs/:orgId',
    run: (p, who) => api(`/api/orgs/${p.org.orgId}`, jsonInit('PATCH', { name: 'Main org' }, h(who))),
    expect: () => adminUp(200),
  },
  {
    route: 'DELETE /api/orgs/:orgId',
    run: async (p, who) => {
      // The owner deletes a throwaway org it owns (with the same principals' roles it would have);
      // everyone else tries p.org, which must survive.
      let orgId = p.org.orgId;
      if (who.name === 'owner') {
        const org = await createOrg();
        orgId = org.orgId;
        return api(`/api/orgs/${orgId}`, {
          method: 'DELETE',
          headers: org.owner[who.headers.Cookie ? 'cookieHeaders' : 'bearerHeaders'],
        });
      }
      return api(`/api/orgs/${orgId}`, { method: 'DELETE', headers: h(who) });
    },
    expect: () => ({ ...dead, viewer: 403, editor: 403, admin: 403, owner: 200, 'other-org': 404 }),
  },
  {
    route: 'POST /api/orgs/:orgId/activate',
    run: (p, who) => api(`/api/orgs/${p.org.orgId}/activate`, { method: 'POST', headers: h(who) }),
    expect: (via) => sessionOnly(via, all(200, 404)),
  },
  {
    route: 'GET /api/orgs/:orgId/members',
    run: (p, who) => api(`/api/orgs/${p.org.orgId}/members`, { headers: h(who) }),
    expect: () => all(200, 404),
  },
  {
    route: 'PATCH /api/orgs/:orgId/members/:userId',
    run: async (p, who) => {
      const target = await addMember(p.org, 'viewer');
      return api(
        `/api/orgs/${p.org.orgId}/members/${target.userId}`,
        jsonInit('PATCH', { role: 'editor' }, h(who)),
      );
    },
    expect: () => adminUp(200),
  },
  {
    route: 'DELETE /api/orgs/:orgId/members/:userId',
    run: async (p, who) => {
      const target = await addMember(p.org, 'viewer');
      return api(`/api/orgs/${p.org.orgId}/members/${target.userId}`, { method: 'DELETE', headers: h(who) });
    },
    expect: () => adminUp(200),
  },
  {
    route: 'GET /api/orgs/:orgId/invitations',
    run: (p, who) => api(`/api/orgs/${p.org.orgId}/invitations`, { headers: h(who) }),
    expect: () => adminUp(200),
  },
  {
    route: 'POST /api/orgs/:orgId/invitations',
    run: (p, who) =>
      api(
        `/api/orgs/${p.org.orgId}/invitations`,
        jsonInit('POST', { email: uniqueEmail(), role: 'viewer' }, h(who)),
      ),
    expect: () => adminUp(201),
  },
  {
    route: 'DELETE /api/orgs/:orgId/invitations/:invitationId',
    run: async (p, who) => {
      const res = await api(
        `/api/orgs/${p.org.orgId}/invitations`,
        jsonInit('POST', { email: uniqueEmail(), role: 'viewer' }, p.org.owner.cookieHeaders),
      );
      const { invitation } = await res.json<{ invitation: { id: string } }>();
      return api(`/api/orgs/${p.org.orgId}/invitations/${invitation.id}`, {
        method: 'DELETE',
        headers: h(who),
      });
    },
    expect: () => adminUp(200),
  },
  {
    route: 'POST /api/invitations/accept',
    run: async (_p, who) => {
      const host = await createOrg();
      const email = who.user?.email ?? uniqueEmail();
      const res = await api(
        `/api/orgs/${host.orgId}/invitations`,
        jsonInit('POST', { email, role: 'viewer' }, host.owner.cookieHeaders),
      );
      const { token } = await res.json<{ token: string }>();
      // Accepting switches the session's active org, so cookie principals accept in a second session.
      const headers = who.headers.Cookie ? await freshSession(who) : who.headers;
      return api('/api/invitations/accept', jsonInit('POST', { token }, headers ?? who.headers));
    },
    expect: (via) => sessionOnly(via, all(200)),
  },
  {
    route: 'GET /api/tokens',
    run: (_p, who) => api('/api/tokens', { headers: h(who) }),
    expect: () => all(200),
  },
  {
    route: 'POST /api/tokens',
    run: (_p, who) => api('/api/tokens', jsonInit('POST', { name: 'ci', ceiling: 'viewer' }, h(who))),
    expect: (via) => sessionOnly(via, all(201)),
  },
  {
    route: 'DELETE /api/tokens/:tokenId',
    run: async (p, who) => {
      const target = await makeToken(p.org.owner, { ceiling: 'viewer' });
      return api(`/api/tokens/${target.tokenId}`, { method: 'DELETE', headers: h(who) });
    },
    // Someone else's token is invisible unless you manage members (404, not 403: no probing).
    expect: () => ({ ...dead, viewer: 404, editor: 404, admin: 200, owner: 200, 'other-org': 404 }),
  },
  {
    route: 'GET /api/audit',
    run: (_p, who) => api('/api/audit', { headers: h(who) }),
    expect: () => ({ ...dead, viewer: 403, editor: 403, admin: 200, owner: 200, 'other-org': 200 }),
  },
];

for (const via of ['cookie', 'token'] as const) {
  describe(`authorization matrix (${via})`, () => {
    let p: PrincipalSet;
    beforeAll(async () => {
      p = await createPrincipals({ via });
    }, 60_000);

    for (const row of ROWS) {
      it(row.route, async () => {
        const want = row.expect(via);
        const got: Partial<Record<PrincipalName, number>> = {};
        for (const name of PRINCIPALS) {
          const res = await row.run(p, p[name]);
          got[name] = res.status;
          // Every refusal is the JSON envelope.
          if (res.status >= 400)
            expect((await res.json<{ error: { code: string } }>()).error.code).toBeTruthy();
          else await res.body?.cancel();
        }
        const line = (r: Partial<Record<PrincipalName, number>>) =>
          PRINCIPALS.map((n) => `${n}=${r[n]}`).join(' ');
        expect(line(got)).toBe(line(want));
      }, 60_000);
    }

    it('left no trace of the outsider in the org (zero cross-org reads or writes)', async () => {
      const outsider = p['other-org'].user!;
      const members = await api(`/api/orgs/${p.org.orgId}/members`, { headers: p.org.owner.cookieHeaders });
      const { members: list } = await members.json<{ members: { userId: string }[] }>();
      expect(list.map((m) => m.userId)).not.toContain(outsider.userId);
      const orgs = await api('/api/orgs', { headers: outsider.cookieHeaders });
      const { orgs: outsiderOrgs } = await orgs.json<{ orgs: { id: string }[] }>();
      expect(outsiderOrgs.map((o) => o.id)).not.toContain(p.org.orgId);
      const log = await api(`/api/audit?limit=200`, { headers: outsider.cookieHeaders });
      const { entries } = await log.json<{ entries: { actorId: string | null; target: string | null }[] }>();
      for (const entry of entries) {
        expect(entry.target ?? '').not.toContain(p.org.orgId);
        expect(entry.actorId).not.toBe(p.org.owner.userId);
      }
      const org = await api('/api/orgs', { headers: p.org.owner.cookieHeaders });
      const { orgs: ownerOrgs } = await org.json<{ orgs: { id: string; name: string }[] }>();
      expect(ownerOrgs.find((o) => o.id === p.org.orgId)?.name).toBe('Main org');
    });
  });
}
