import { path } from '../lib/paths.ts';
import { api } from './client.ts';
import type {
  AcceptedInvitation,
  ActiveOrg,
  CreatedInvitation,
  Invitation,
  Member,
  OrgSummary,
  Role,
} from './types.ts';

const org = (orgId: string) => path`/api/orgs/${orgId}`;

export const orgs = {
  list: () => api.get<{ orgs: OrgSummary[] }>('/api/orgs'),
  create: (name: string) => api.post<OrgSummary>('/api/orgs', { name }),
  rename: (orgId: string, name: string) => api.patch<OrgSummary>(org(orgId), { name }),
  remove: (orgId: string) => api.delete<unknown>(org(orgId)),
  activate: (orgId: string) => api.post<{ activeOrg: ActiveOrg }>(`${org(orgId)}/activate`),

  members: (orgId: string) => api.get<{ members: Member[] }>(`${org(orgId)}/members`),
  setRole: (orgId: string, userId: string, role: Role) =>
    api.patch<Member>(`${org(orgId)}${path`/members/${userId}`}`, { role }),
  removeMember: (orgId: string, userId: string) =>
    api.delete<unknown>(`${org(orgId)}${path`/members/${userId}`}`),

  invitations: (orgId: string) => api.get<{ invitations: Invitation[] }>(`${org(orgId)}/invitations`),
  invite: (orgId: string, input: { email: string; role: Role }) =>
    api.post<CreatedInvitation>(`${org(orgId)}/invitations`, input),
  revokeInvitation: (orgId: string, id: string) =>
    api.delete<unknown>(`${org(orgId)}${path`/invitations/${id}`}`),
};

/** The invite link's token is the credential; it travels in the body, never in a URL the server logs. */
export const invitations = {
  accept: (token: string) => api.post<AcceptedInvitation>('/api/invitations/accept', { token }),
};
