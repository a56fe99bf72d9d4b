import type { Env } from '../env.ts';
import { notFound, unauthorized } from '../errors.ts';
import type { AuthContext } from './context.ts';
import { memberRole } from './orgs.ts';
import { type Action, authorize, type Role } from './policy.ts';

/**
 * `authorize()` for routes that name an organization in the path (`/api/orgs/:orgId/...`):
 * the caller's role is the one it holds in *that* org. Non-members get 404, not 403,
 * so org ids cannot be probed; a token only ever reaches its own org.
 */
export async function authorizeInOrg(
  env: Env,
  auth: AuthContext | undefined,
  orgId: string,
  action: Action,
): Promise<AuthContext & { orgId: string; role: Role }> {
  if (!auth) throw unauthorized();
  if (auth.via === 'token' && auth.orgId !== orgId) throw notFound('Organization');
  const role = auth.via === 'token' ? auth.role : await memberRole(env, orgId, auth.userId);
  if (!role) throw notFound('Organization');
  return authorize({ ...auth, orgId, role }, action);
}
