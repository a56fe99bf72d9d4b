/**
 * Test helpers for anything behind Atrium's auth (run inside workerd tests).
 *
 * Every helper goes through the real API (`exports.default.fetch`): sign-up,
 * invitations, tokens — so fixtures obey the same rules as users do.
 *
 *   import { createUser, addMember, makeToken, createPrincipals, api, jsonInit } from '../../support/auth.ts';
 *
 *   const owner = await createUser();                       // signs up; owner of a fresh personal org (active)
 *   const ed = await createUser({ role: 'editor' });        // editor in a fresh org (someone else owns it)
 *   const v = await addMember(owner, 'viewer');             // new user, viewer in owner's org (active there)
 *   const same = await createUser({ role: 'admin', org: owner }); // same as addMember(owner, 'admin')
 *   // Each TestUser: { userId, orgId, email, password, name, role,
 *   //   cookieHeaders: { Cookie, Origin },   // session in orgId; Origin satisfies the CSRF guard
 *   //   bearerHeaders: { Authorization },    // an API token for orgId with ceiling = role, no expiry
 *   //   token, tokenId }
 *   const t = await makeToken(owner, { ceiling: 'viewer', expiresAt: new Date(Date.now() - 1000) }); // expired
 *   await revokeToken(owner, t.tokenId);
 *   const res = await api('/api/me', { headers: owner.bearerHeaders });
 *   const res2 = await api('/api/orgs', jsonInit('POST', { name: 'x' }, owner.cookieHeaders));
 *
 * Authorization matrix (extend it for your routes):
 *   const p = await createPrincipals();   // one org; p.org is { orgId, owner }
 *   for (const name of PRINCIPALS) {
 *     const res = await api(`/api/things`, { headers: p[name].headers });
 *     expect(res.status, name).toBe(expectStatus({ minRole: 'editor', ok: 200, otherOrg: 200 })[name]);
 *   }
 * Principals: anonymous (no headers), viewer/editor/admin/owner (session cookies in p.org),
 * `other-org` (owner of a different org, session cookie), `revoked-token` and `expired-token`
 * (Bearer tokens of p.org's owner, ceiling owner, so only the token state refuses them).
 * `createPrincipals({ via: 'token' })` gives the role principals Bearer tokens instead.
 */
import { env, exports } from 'cloudflare:workers';
import type { Role } from '../../worker/auth/policy.ts';

export const TEST_ORIGIN = 'http://atrium.test';
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  userId: string;
  /** The org where the user has `role`; its session acts there and `token` is scoped to it. */
  orgId: string;
  email: string;
  password: string;
  name: string;
  role: Role;
  /** Cookie + Origin (the CSRF guard wants a same-origin Origin on cookie writes). */
  cookieHeaders: Record<string, string>;
  /** `Authorization: Bearer <token>`. */
  bearerHeaders: Record<string, string>;
  token: string;
  tokenId: string;
}

/** Anything that names an org with an admin or owner in it who can invite. */
export type OrgRef = TestUser | { orgId: string; owner: TestUser };

export interface TestToken {
  token: string;
  tokenId: string;
  headers: Record<string, string>;
}

let counter = 0;
export const uniqueEmail = (label = 'user') =>
  `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** Calls the Worker as a browser or script would. `path` starts with `/`. */
export function api(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(`${TEST_ORIGIN}${path}`, init);
}

/** A JSON request init: `api('/api/orgs', jsonInit('POST', { name }, user.cookieHeaders))`. */
export function jsonInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

async function expectOk(res: Response, what: string): Promise<void> {
  if (!res.ok) throw new Error(`${what} failed: ${res.status} ${await res.text()}`);
}

/** Signs up through the API; returns the session cookie headers. */
export async function signUp(email: string, password = TEST_PASSWORD, name = 'Test User') {
  const res = await api(
    '/api/auth/sign-up/email',
    jsonInit('POST', { email, password, name }, { origin: TEST_ORIGIN }),
  );
  await expectOk(res, 'sign-up');
  const body = await res.json<{ user: { id: string }; orgId: string }>();
  return { userId: body.user.id, personalOrgId: body.orgId, cookieHeaders: cookieHeadersFrom(res) };
}

/** Cookie + Origin headers from a response's Set-Cookie (the session cookie). */
export function cookieHeadersFrom(res: Response): Record<string, string> {
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .filter((c) => c && !c.endsWith('='))
    .join('; ');
  if (!cookie) throw new Error('response set no cookie');
  return { Cookie: cookie, Origin: TEST_ORIGIN };
}

/**
 * A new user. Without `org`: `role` 'owner' (default) is the owner of their own
 * personal org; any other role joins a fresh org created for the occasion. With
 * `org`: joins that org (invited by its owner) with `role`. The session is
 * switched to that org and a Bearer token with ceiling `role` is minted.
 */
export async function createUser(
  options: { role?: Role; org?: OrgRef; email?: string; password?: string; name?: string } = {},
): Promise<TestUser> {
  const role = options.role ?? 'owner';
  const email = options.email ?? uniqueEmail(role);
  const password = options.password ?? TEST_PASSWORD;
  const name = options.name ?? `Test ${role}`;
  const signedUp = await signUp(email, password, name);
  let orgId = signedUp.personalOrgId;
  const org = options.org ?? (role === 'owner' ? undefined : await createOrg());
  if (org) {
    const inviter = 'owner' in org ? org.owner : org;
    orgId = org.orgId;
    const inv = await api(
      `/api/orgs/${orgId}/invitations`,
      jsonInit('POST', { email, role }, inviter.cookieHeaders),
    );
    await expectOk(inv, 'invite');
    const { token } = await inv.json<{ token: string }>();
    await expectOk(
      await api('/api/invitations/accept', jsonInit('POST', { token }, signedUp.cookieHeaders)),
      'accept',
    );
  }
  const partial = {
    userId: signedUp.userId,
    orgId,
    email,
    password,
    name,
    role,
    cookieHeaders: signedUp.cookieHeaders,
  };
  const minted = await makeToken(partial, { ceiling: role, name: 'test helper' });
  return { ...partial, bearerHeaders: minted.headers, token: minted.token, tokenId: minted.tokenId };
}

/** A fresh org with its owner (the owner's personal org). */
export async function createOrg(): Promise<{ orgId: string; owner: TestUser }> {
  const owner = await createUser();
  return { orgId: owner.orgId, owner };
}

/** A new user with `role` in `org`. */
export const addMember = (org: OrgRef, role: Role, options: { email?: string; name?: string } = {}) =>
  createUser({ ...options, org, role });

/**
 * An API token for `user` in the org its session is in (`user.orgId`). An
 * `expiresAt` in the past is honoured by creating the token and then moving its
 * expiry back in D1, since the API refuses to create already-expired tokens.
 */
export async function makeToken(
  user: Pick<TestUser, 'cookieHeaders'>,
  options: { ceiling?: Role; expiresAt?: Date | null; name?: string } = {},
): Promise<TestToken> {
  const past = options.expiresAt && options.expiresAt.getTime() <= Date.now();
  const body = {
    name: options.name ?? 'test token',
    ceiling: options.ceiling ?? 'viewer',
    expiresAt: past
      ? new Date(Date.now() + 3_600_000).toISOString()
      : (options.expiresAt?.toISOString() ?? null),
  };
  const res = await api('/api/tokens', jsonInit('POST', body, user.cookieHeaders));
  await expectOk(res, 'token create');
  const { token, apiToken } = await res.json<{ token: string; apiToken: { id: string } }>();
  if (past && options.expiresAt) {
    await env.DB.prepare('update api_token set expires_at = ? where id = ?')
      .bind(options.expiresAt.getTime(), apiToken.id)
      .run();
  }
  return { token, tokenId: apiToken.id, headers: { Authorization: `Bearer ${token}` } };
}

export async function revokeToken(user: Pick<TestUser, 'cookieHeaders'>, tokenId: string): Promise<void> {
  await expectOk(
    await api(`/api/tokens/${tokenId}`, { method: 'DELETE', headers: user.cookieHeaders }),
    'revoke',
  );
}

export const PRINCIPALS = [
  'anonymous',
  'viewer',
  'editor',
  'admin',
  'owner',
  'other-org',
  'revoked-token',
  'expired-token',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

export interface Principal {
  name: PrincipalName;
  headers: Record<string, string>;
  user?: TestUser;
}

export type PrincipalSet = Record<PrincipalName, Principal> & { org: { orgId: string; owner: TestUser } };

/** Every principal of the matrix, around one org (`p.org`). */
export async function createPrincipals(options: { via?: 'cookie' | 'token' } = {}): Promise<PrincipalSet> {
  const org = await createOrg();
  const [viewer, editor, admin, otherOrg] = await Promise.all([
    addMember(org, 'viewer'),
    addMember(org, 'editor'),
    addMember(org, 'admin'),
    createUser(),
  ]);
  const revoked = await makeToken(org.owner, { ceiling: 'owner', name: 'revoked' });
  await revokeToken(org.owner, revoked.tokenId);
  const expired = await makeToken(org.owner, { ceiling: 'owner', expiresAt: new Date(Date.now() - 60_000) });
  const as = (name: PrincipalName, user: TestUser): Principal => ({
    name,
    user,
    headers: options.via === 'token' ? user.bearerHeaders : user.cookieHeaders,
  });
  return {
    org,
    anonymous: { name: 'anonymous', headers: { Origin: TEST_ORIGIN } },
    viewer: as('viewer', viewer),
    editor: as('editor', editor),
    admin: as('admin', admin),
    owner: as('owner', org.owner),
    'other-org': as('other-org', otherOrg),
    'revoked-token': { name: 'revoked-token', headers: revoked.headers },
    'expired-token': { name: 'expired-token', headers: expired.headers },
  };
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/**
 * The usual expectations for a route that needs `minRole` in p.org: 401 for
 * anonymous and dead tokens, 403 below the role, `ok` at or above it, and
 * `otherOrg` for the outsider (404 for a p.org resource id; or what the route
 * answers for the outsider's own org, e.g. 200 with an empty list).
 */
export function expectStatus(spec: {
  minRole: Role;
  ok: number;
  otherOrg: number;
  denied?: number;
}): Record<PrincipalName, number> {
  const roleStatus = (role: Role) => (RANK[role] >= RANK[spec.minRole] ? spec.ok : (spec.denied ?? 403));
  return {
    anonymous: 401,
    viewer: roleStatus('viewer'),
    editor: roleStatus('editor'),
    admin: roleStatus('admin'),
    owner: roleStatus('owner'),
    'other-org': spec.otherOrg,
    'revoked-token': 401,
    'expired-token': 401,
  };
}
