import { forbidden, unauthorized } from '../errors.ts';
import type { AuthContext } from './context.ts';
import { ROLES, type Role } from './roles.ts';

export { ROLES, type Role };

/**
 * The one policy: every route and every document room asks `can(role, action)`.
 * Each role has everything the role below it has.
 */
const MIN_ROLE = {
  'connection.read': 'viewer',
  'schema.read': 'viewer',
  'query.read': 'viewer',
  'document.read': 'viewer',
  'history.read': 'viewer',
  'member.read': 'viewer',
  'token.manage': 'viewer',
  'query.write': 'editor',
  'rows.write': 'editor',
  'document.write': 'editor',
  'saved-query.write': 'editor',
  'schema.sync': 'editor',
  'connection.write': 'admin',
  'member.manage': 'admin',
  'invitation.manage': 'admin',
  'audit.read': 'admin',
  'org.update': 'admin',
  'org.delete': 'owner',
  'owner.manage': 'owner',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof MIN_ROLE;

export const roleRank = (role: Role): number => ROLES.indexOf(role);

export function can(role: Role | null | undefined, action: Action): boolean {
  if (!role) return false;
  return roleRank(role) >= roleRank(MIN_ROLE[action]);
}

/** The lower of two roles: a token never grants more than its ceiling or its owner's role. */
export function minRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

declare const decided: unique symbol;

/**
 * A request's authorization decision: the caller, the organization it acts in, and the action
 * `authorize` allowed. Only `authorize` makes one, so the layers below a route (query pipeline,
 * `openEngine`) take it as proof instead of asking again; `granted` tells them what was allowed
 * (a read-only login for reads, no writes to built-ins).
 */
export type Authorized = AuthContext & {
  orgId: string;
  role: Role;
  granted: Action;
  readonly [decided]: true;
};

/** Throws 401/403 unless the caller may do `action` in its active organization. */
export function authorize(auth: AuthContext | undefined, action: Action): Authorized {
  if (!auth) throw unauthorized();
  if (!auth.orgId || !auth.role) throw forbidden('Select an organization first');
  if (!can(auth.role, action)) throw forbidden();
  return { ...auth, granted: action } as Authorized;
}
