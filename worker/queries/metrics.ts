import type { Env } from '../env.ts';

export interface ConnectionMetrics {
  windowMinutes: number;
  total: number;
  errors: number;
  errorRate: number;
  /** Executions per minute averaged over the window. */
  queriesPerMinute: number;
  p50Ms: number | null;
  p95Ms: number | null;
  /** One bucket per minute that had executions, oldest first, for the dashboard's chart. */
  series: { minute: string; count: number; errors: number; avgMs: number }[];
}

/**
 * Latency percentiles, error rate and throughput of one connection from its
 * history rows in the window. Percentiles are nearest-rank, read with an
 * ORDER BY … LIMIT 1 OFFSET k each, so no row list is pulled into the Worker.
 * Cache hits are left out: they say nothing about the database.
 */
export async function connectionMetrics(
  env: Env,
  orgId: string,
  connectionId: string,
  windowMinutes: number,
): Promise<ConnectionMetrics> {
  const since = Date.now() - windowMinutes * 60_000;
  const where = 'org_id = ?1 and connection_id = ?2 and started_at >= ?3 and cached = 0';
  const totals = await env.DB.prepare(
    `select count(*) as total, coalesce(sum(outcome <> 'ok'), 0) as errors from query_history where ${where}`,
  )
    .bind(orgId, connectionId, since)
    .first<{ total: number; errors: number }>();
  const total = totals?.total ?? 0;
  const errors = totals?.errors ?? 0;
  const percentile = async (p: number): Promise<number | null> => {
    if (total === 0) return null;
    const rank = Math.max(0, Math.ceil(p * total) - 1);
    const row = await env.DB.prepare(
      `select duration_ms as ms from query_history where ${where} order by duration_ms limit 1 offset ?4`,
    )
      .bind(orgId, connectionId, since, rank)
      .first<{ ms: number }>();
    return row?.ms ?? null;
  };
  const [p50Ms, p95Ms, buckets] = await Promise.all([
    percentile(0.5),
    percentile(0.95),
    env.DB.prepare(
      `select started_at / 60000 as minute, count(*) as count, sum(outcome <> 'ok') as errors, avg(duration_ms) as avgMs
       from query_history where ${where} group by minute order by minute`,
    )
      .bind(orgId, connectionId, since)
      .all<{ minute: number; count: number; errors: number; avgMs: number }>(),
  ]);
  return {
    windowMinutes,
    total,
    errors,
    errorRate: total === 0 ? 0 : errors / total,
    queriesPerMinute: total / windowMinutes,
    p50Ms,
    p95Ms,
    series: buckets.results.map((b) => ({
      minute: new Date(b.minute * 60_000).toISOString(),
      count: b.count,
      errors: b.errors,
      avgMs: Math.round(b.avgMs),
    })),
  };
}
