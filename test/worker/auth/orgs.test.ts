import { describe, expect, it } from 'vitest';
import { addMember, api, createUser, jsonInit, makeToken, uniqueEmail } from '../../support/auth.ts';

const role = (orgId: string, userId: string, r: string, headers: Record<string, string>) =>
  api(`/api/orgs/${orgId}/members/${userId}`, jsonInit('PATCH', { role: r }, headers));
const remove = (orgId: string, userId: string, headers: Record<string, string>) =>
  api(`/api/orgs/${orgId}/members/${userId}`, { method: 'DELETE', headers });
const code = async (res: Response) => (await res.json<{ error: { code: string } }>()).error.code;

describe('owners', () => {
  it('only an owner can promote to, demote or remove an owner', async () => {
    const owner = await createUser();
    const admin = await addMember(owner, 'admin');
    const editor = await addMember(owner, 'editor');
    expect((await role(owner.orgId, editor.userId, 'owner', admin.cookieHeaders)).status).toBe(403);
    expect((await role(owner.orgId, owner.userId, 'viewer', admin.cookieHeaders)).status).toBe(403);
    expect((await remove(owner.orgId, owner.userId, admin.cookieHeaders)).status).toBe(403);
    expect((await role(owner.orgId, editor.userId, 'admin', admin.cookieHeaders)).status).toBe(200);
    expect((await role(owner.orgId, editor.userId, 'owner', owner.cookieHeaders)).status).toBe(200);
    // Now two owners: one may demote the other.
    expect((await role(owner.orgId, editor.userId, 'viewer', owner.cookieHeaders)).status).toBe(200);
  });

  it('the last owner cannot leave or be demoted; with a second owner they can', async () => {
    const owner = await createUser();
    const leave = await remove(owner.orgId, owner.userId, owner.cookieHeaders);
    expect(leave.status).toBe(409);
    expect(await code(leave)).toBe('last_owner');
    const demote = await role(owner.orgId, owner.userId, 'admin', owner.cookieHeaders);
    expect(demote.status).toBe(409);
    const second = await addMember(owner, 'owner');
    expect((await remove(owner.orgId, owner.userId, owner.cookieHeaders)).status).toBe(200);
    const last = await remove(owner.orgId, second.userId, second.cookieHeaders);
    expect(last.status).toBe(409);
  });

  it('any member may leave', async () => {
    const owner = await createUser();
    const viewer = await addMember(owner, 'viewer');
    expect((await remove(owner.orgId, viewer.userId, viewer.cookieHeaders)).status).toBe(200);
    // Its session now acts in its own personal org, and its token for the org is dead.
    const me = await (await api('/api/me', { headers: viewer.cookieHeaders })).json<{
      activeOrg: { id: string };
    }>();
    expect(me.activeOrg.id).not.toBe(owner.orgId);
    expect((await api('/api/me', { headers: viewer.bearerHeaders })).status).toBe(401);
  });
});

describe('organizations', () => {
  it('create, rename, switch, delete', async () => {
    const owner = await createUser();
    const created = await api('/api/orgs', jsonInit('POST', { name: 'Team' }, owner.cookieHeaders));
    expect(created.status).toBe(201);
    const org = await created.json<{ id: string; role: string; personal: boolean }>();
    expect(org).toMatchObject({ role: 'owner', personal: false });
    expect(
      (await api(`/api/orgs/${org.id}`, jsonInit('PATCH', { name: 'Team 2' }, owner.cookieHeaders))).status,
    ).toBe(200);
    const activated = await api(`/api/orgs/${org.id}/activate`, {
      method: 'POST',
      headers: owner.cookieHeaders,
    });
    expect(await activated.json()).toEqual({ activeOrg: { id: org.id, name: 'Team 2', role: 'owner' } });
    const me = await (await api('/api/me', { headers: owner.cookieHeaders })).json<{
      activeOrg: { id: string };
    }>();
    expect(me.activeOrg.id).toBe(org.id);
    expect(
      (await api(`/api/orgs/${org.id}`, { method: 'DELETE', headers: owner.cookieHeaders })).status,
    ).toBe(200);
    const after = await (await api('/api/me', { headers: owner.cookieHeaders })).json<{
      activeOrg: { id: string };
      orgs: unknown[];
    }>();
    expect(after.activeOrg.id).toBe(owner.orgId);
    expect(after.orgs).toHaveLength(1);
  });

  it('a token acts at min(member role, ceiling), and a demotion applies at once', async () => {
    const owner = await createUser();
    const admin = await addMember(owner, 'admin');
    const capped = await makeToken(admin, { ceiling: 'editor' });
    const me = async (h: Record<string, string>) =>
      (await (await api('/api/me', { headers: h })).json<{ activeOrg: { role: string } }>()).activeOrg.role;
    expect(await me(capped.headers)).toBe('editor');
    expect((await api(`/api/orgs/${owner.orgId}/invitations`, { headers: capped.headers })).status).toBe(403);
    expect((await api(`/api/orgs/${owner.orgId}/invitations`, { headers: admin.bearerHeaders })).status).toBe(
      200,
    );
    expect((await role(owner.orgId, admin.userId, 'viewer', owner.cookieHeaders)).status).toBe(200);
    expect(await me(capped.headers)).toBe('viewer');
    expect((await api(`/api/orgs/${owner.orgId}/invitations`, { headers: admin.bearerHeaders })).status).toBe(
      403,
    );
  });
});

describe('invitations', () => {
  it('are one-time links for the invited email only', async () => {
    const owner = await createUser();
    const email = uniqueEmail('invitee');
    const res = await api(
      `/api/orgs/${owner.orgId}/invitations`,
      jsonInit('POST', { email, role: 'editor' }, owner.cookieHeaders),
    );
    expect(res.status).toBe(201);
    const { token, url, invitation } = await res.json<{
      token: string;
      url: string;
      invitation: { id: string };
    }>();
    expect(url).toBe(`http://atrium.test/invite/${token}`);
    const listed = await (
      await api(`/api/orgs/${owner.orgId}/invitations`, { headers: owner.cookieHeaders })
    ).text();
    expect(listed).toContain(invitation.id);
    expect(listed).not.toContain(token);

    const stranger = await createUser();
    const wrong = await api('/api/invitations/accept', jsonInit('POST', { token }, stranger.cookieHeaders));
    expect(wrong.status).toBe(403);
    const invitee = await createUser({ email });
    const ok = await api('/api/invitations/accept', jsonInit('POST', { token }, invitee.cookieHeaders));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ activeOrg: { id: owner.orgId, role: 'editor' } });
    const again = await api('/api/invitations/accept', jsonInit('POST', { token }, invitee.cookieHeaders));
    expect(again.status).toBe(404);
    expect(await code(again)).toBe('invitation_invalid');
  });

  it('revoked invitations cannot be accepted; only owners invite owners', async () => {
    const owner = await createUser();
    const admin = await addMember(owner, 'admin');
    const asOwner = await api(
      `/api/orgs/${owner.orgId}/invitations`,
      jsonInit('POST', { email: uniqueEmail(), role: 'owner' }, admin.cookieHeaders),
    );
    expect(asOwner.status).toBe(403);
    const email = uniqueEmail();
    const res = await api(
      `/api/orgs/${owner.orgId}/invitations`,
      jsonInit('POST', { email, role: 'viewer' }, admin.cookieHeaders),
    );
    const { token, invitation } = await res.json<{ token: string; invitation: { id: string } }>();
    expect(
      (
        await api(`/api/orgs/${owner.orgId}/invitations/${invitation.id}`, {
          method: 'DELETE',
          headers: admin.cookieHeaders,
        })
      ).status,
    ).toBe(200);
    const invitee = await createUser({ email });
    expect(
      (await api('/api/invitations/accept', jsonInit('POST', { token }, invitee.cookieHeaders))).status,
    ).toBe(404);
  });
});
