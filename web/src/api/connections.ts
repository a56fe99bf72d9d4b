import { path } from '../lib/paths.ts';
import { api, request } from './client.ts';
import type {
  Connection,
  ConnectionInput,
  ConnectionMetrics,
  ConnectionTestResult,
  ConnectionUpdate,
} from './types.ts';

const TEST_STATUSES = [400, 502, 504];

/** The settings part of a connection: what a test needs. */
export type ConnectionTestInput = Omit<ConnectionInput, 'name' | 'description' | 'color' | 'active' | 'tags'>;

const one = (id: string) => path`/api/connections/${id}`;

export const connections = {
  list: () => api.get<{ connections: Connection[] }>('/api/connections'),
  get: (id: string) => api.get<Connection>(one(id)),
  create: (input: ConnectionInput) => api.post<Connection>('/api/connections', input),
  update: (id: string, input: ConnectionUpdate) => api.patch<Connection>(one(id), input),
  remove: (id: string) => api.delete<unknown>(one(id)),
  // A failed test answers 400/502/504 with the same result body; it is a result, not an exception.
  test: (id: string) =>
    request<ConnectionTestResult>(`${one(id)}/test`, {
      method: 'POST',
      body: {},
      resultStatuses: TEST_STATUSES,
    }),
  testUnsaved: (input: ConnectionTestInput) =>
    request<ConnectionTestResult>('/api/connections/test', {
      method: 'POST',
      body: input,
      resultStatuses: TEST_STATUSES,
    }),
  metrics: (id: string, windowMinutes: number) =>
    api.get<ConnectionMetrics>(`${one(id)}/metrics`, { windowMinutes }),
};
