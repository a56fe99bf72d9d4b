/**
 * Shapes of the API as the web app uses them, derived from the worker's route
 * schemas (see server-types.ts), so a server change that breaks a page fails
 * `tsc` instead of a user's screen.
 */
import type { audit } from '../../../worker/routes/audit.ts';
import type { connections } from '../../../worker/routes/connections.ts';
import type { health } from '../../../worker/routes/health.ts';
import type { invitations } from '../../../worker/routes/invitations.ts';
import type { me } from '../../../worker/routes/me.ts';
import type { members } from '../../../worker/routes/members.ts';
import type { queries } from '../../../worker/routes/queries.ts';
import type { tokens } from '../../../worker/routes/tokens.ts';
import type { JsonInput, SuccessBody } from './server-types.ts';

export type Role = 'viewer' | 'editor' | 'admin' | 'owner';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin', 'owner'];

export type Health = SuccessBody<typeof health, '/health', '$get'>;

export type Me = SuccessBody<typeof me, '/api/me', '$get'>;
export type OrgSummary = Me['orgs'][number];
export type ActiveOrg = NonNullable<Me['activeOrg']>;

export type Member = SuccessBody<typeof members, '/api/orgs/:orgId/members', '$get'>['members'][number];
export type Invitation = SuccessBody<
  typeof invitations,
  '/api/orgs/:orgId/invitations',
  '$get'
>['invitations'][number];
export type CreatedInvitation = SuccessBody<typeof invitations, '/api/orgs/:orgId/invitations', '$post'>;
export type AcceptedInvitation = SuccessBody<typeof invitations, '/api/invitations/accept', '$post'>;

export type ApiToken = SuccessBody<typeof tokens, '/api/tokens', '$get'>['tokens'][number];
export type CreatedApiToken = SuccessBody<typeof tokens, '/api/tokens', '$post'>;
export type NewApiToken = JsonInput<typeof tokens, '/api/tokens', '$post'>;

export type AuditPage = SuccessBody<typeof audit, '/api/audit', '$get'>;
export type AuditEntry = AuditPage['entries'][number];
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
}

export type Connection = SuccessBody<typeof connections, '/api/connections/:id', '$get'>;
export type ConnectionStatusInfo = Connection['status'];
export type EngineName = Connection['engine'];
export type SslMode = NonNullable<Connection['sslMode']>;
export type ConnectionInput = JsonInput<typeof connections, '/api/connections', '$post'>;
export type ConnectionUpdate = JsonInput<typeof connections, '/api/connections/:id', '$patch'>;
export type ConnectionTestResult = SuccessBody<typeof connections, '/api/connections/test', '$post'>;

export type ConnectionMetrics = SuccessBody<typeof queries, '/api/connections/:id/metrics', '$get'>;
