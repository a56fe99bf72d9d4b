import { api } from './client.ts';
import type { AuditFilter, AuditPage } from './types.ts';

export const audit = {
  list: (filter: AuditFilter, cursor?: string | null, limit = 50) =>
    api.get<AuditPage>('/api/audit', { ...filter, cursor: cursor ?? undefined, limit }),
};
