import type { queries as queryRoutes } from '../../../worker/routes/queries.ts';
import { path } from '../lib/paths.ts';
import { request, requestIdOf } from './client.ts';
import type { JsonInput, SuccessBody } from './server-types.ts';

export type QueryResponse = SuccessBody<typeof queryRoutes, '/api/connections/:id/query', '$post'>;
export type QueryRequest = JsonInput<typeof queryRoutes, '/api/connections/:id/query', '$post'>;
/**
 * One statement's answer. `cached` is the response's flag copied onto each statement: a cache
 * hit replays the whole script, so every statement in it came from the cache.
 */
export type StatementResult = QueryResponse['results'][number] & { cached: boolean };
export type ResultColumn = StatementResult['columns'][number];

const queryPath = (connectionId: string) => path`/api/connections/${connectionId}/query`;

export async function runQuery(
  connectionId: string,
  input: QueryRequest,
  signal?: AbortSignal,
): Promise<{ results: StatementResult[]; requestId: string | undefined }> {
  const body = await request<QueryResponse>(queryPath(connectionId), { method: 'POST', body: input, signal });
  return {
    results: body.results.map((result) => ({ ...result, cached: body.cached })),
    requestId: requestIdOf(body),
  };
}
