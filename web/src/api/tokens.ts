import { path } from '../lib/paths.ts';
import { api } from './client.ts';
import type { ApiToken, CreatedApiToken, NewApiToken } from './types.ts';

export const tokens = {
  list: () => api.get<{ tokens: ApiToken[] }>('/api/tokens'),
  create: (input: NewApiToken) => api.post<CreatedApiToken>('/api/tokens', input),
  revoke: (id: string) => api.delete<unknown>(path`/api/tokens/${id}`),
};
