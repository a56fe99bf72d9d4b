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
 * ORDER BY … LIMIT 1 OFFSET k each (k from the statement's own count), so no row list is
 * pulled into the Worker and the four reads go in one round trip.
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
  // Nearest rank, ceil(p × count) − 1, computed in the statement from its own count (the same
  // IEEE arithmetic as JavaScript's), so all four reads go together: one round trip (issue 17).
  const percentile = (p: number) =>
    env.DB.prepare(
      `with n(x) as (select ?4 * count(*) from query_history where ${where})
       select duration_ms as ms from query_history where ${where} order by duration_ms
       limit 1 offset (select max(0, cast(x as integer) + (x > cast(x as integer)) - 1) from n)`,
    )
      .bind(orgId, connectionId, since, p)
      .first<{ ms: number }>()
      .then((row) => row?.ms ?? null);
  const [totals, p50Ms, p95Ms, buckets] = await Promise.all([
    env.DB.prepare(
      `select count(*) as total, coalesce(sum(outcome <> 'ok'), 0) as errors from query_history where ${where}`,
    )
      .bind(orgId, connectionId, since)
      .first<{ total: number; errors: number }>(),
    percentile(0.5),
    percentile(0.95),
    env.DB.prepare(
      `select started_at / 60000 as minute, count(*) as count, sum(outcome <> 'ok') as errors, avg(duration_ms) as avgMs
       from query_history where ${where} group by minute order by minute`,
    )
      .bind(orgId, connectionId, since)
      .all<{ minute: number; count: number; errors: number; avgMs: number }>(),
  ]);
  const total = totals?.total ?? 0;
  const errors = totals?.errors ?? 0;
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
