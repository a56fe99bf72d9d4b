/**
 * What the web app's first screen shows, in one read (issue 17: at most two API calls after
 * the HTML): the organization's connections and the query metrics of the most recently used.
 * Kept per organization in isolate memory under the issue 17 rule (worker/lib/swr-cache.ts):
 * at most 10 s old, re-read after the response; a connection created, edited, tested or
 * deleted, or a query recorded, in this isolate drops it at once; other isolates' changes show
 * within those 10 s.
 */

import type { ServiceContext } from '../lib/after-response.ts';
import { SwrCache } from '../lib/swr-cache.ts';
import { type ConnectionMetrics, connectionMetrics } from '../queries/metrics.ts';
import { onConnectionChange } from './connection-cache.ts';
import { listConnections } from './crud.ts';
import type { Scope } from './scope.ts';
import type { ConnectionView } from './types.ts';

/** The dashboard's "Recently used" table. */
export const DASHBOARD_RECENT = 5;
/** Its latency figures cover the last day of queries. */
export const DASHBOARD_WINDOW_MINUTES = 24 * 60;
export const DASHBOARD_TTL_MS = 10_000;

export interface Dashboard {
  connections: ConnectionView[];
  /** The recently used connections, most recent first, with metrics (null: could not be read). */
  recent: { id: string; metrics: ConnectionMetrics | null }[];
  windowMinutes: number;
}

const cache = new SwrCache<Dashboard>(DASHBOARD_TTL_MS, 1_000);
onConnectionChange((orgId) => cache.forget(orgId));

/** The organization's connections as read at the start of this request (connections/preload.ts). */
export interface PrereadList {
  connections: ConnectionView[];
  /** `dashboardGeneration()` before that read: a change in this isolate since makes it unusable. */
  readAt: number;
}

export const dashboardGeneration = () => cache.generation;

export function dashboard(ctx: ServiceContext, scope: Scope, preread?: PrereadList): Promise<Dashboard> {
  const list = preread && preread.readAt === cache.generation ? preread.connections : undefined;
  return cache.get(scope.orgId, () => loadDashboard(ctx, scope, list), ctx.waitUntil);
}

/** Forgets one organization's dashboard in this isolate: a query it ran was recorded. */
export function forgetDashboard(orgId: string): void {
  cache.forget(orgId);
}

/** Forgets every organization's dashboard in this isolate (the bench's cold-isolate mode). */
export function forgetDashboards(): void {
  cache.clear();
}

async function loadDashboard(ctx: ServiceContext, scope: Scope, list?: ConnectionView[]): Promise<Dashboard> {
  const connections = list ?? (await listConnections(ctx, scope));
  const used = (c: ConnectionView) => (c.lastUsedAt ? Date.parse(c.lastUsedAt) : 0);
  const ids = [...connections]
    .sort((a, b) => used(b) - used(a))
    .slice(0, DASHBOARD_RECENT)
    .map((c) => c.id);
  const recent = await Promise.all(
    ids.map(async (id) => {
      try {
        return { id, metrics: await connectionMetrics(ctx.env, scope.orgId, id, DASHBOARD_WINDOW_MINUTES) };
      } catch (err) {
        // Latency figures are an extra on this screen; their absence must not hide the rest.
        console.error(
          JSON.stringify({ level: 'warn', event: 'dashboard.metrics_failed', error: String(err) }),
        );
        return { id, metrics: null };
      }
    }),
  );
  return { connections, recent, windowMinutes: DASHBOARD_WINDOW_MINUTES };
}
