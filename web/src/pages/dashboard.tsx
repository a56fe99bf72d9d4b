import { A } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { dashboard as dashboardApi } from '../api/dashboard.ts';
import type { Connection, ConnectionMetrics, EngineName } from '../api/types.ts';
import { ConnectionStatus } from '../components/connection-status.tsx';
import { Icon } from '../components/icons.tsx';
import { ENGINE_LABELS, formatRelative, toDate } from '../lib/format.ts';
import { path } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';

const RECENT = 5;

function counts(list: readonly Connection[]) {
  const byEngine: Record<EngineName, number> = { postgres: 0, mysql: 0, sqlite: 0 };
  let ok = 0;
  let failed = 0;
  let untested = 0;
  let inactive = 0;
  for (const c of list) {
    byEngine[c.engine]++;
    if (!c.active) inactive++;
    if (c.status.state === 'ok') ok++;
    else if (c.status.state === 'error') failed++;
    else untested++;
  }
  return { byEngine, ok, failed, untested, inactive };
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v)} ms`);

export default function DashboardPage() {
  const { connections, session } = useStore();
  // One call on arrival: statuses and last-used times change from other pages and other
  // members, so the list is re-read with the metrics (issue 17: first screen in two calls).
  const [data] = createResource(
    () => session.activeOrg()?.id ?? null,
    async (org) => {
      const answer = await dashboardApi.shared(org);
      connections.replace(answer.connections);
      return answer;
    },
  );
  // Reading a failed resource throws: the figures then show as "—" and the rest of the page stays.
  const metrics = (): Record<string, ConnectionMetrics | null> =>
    Object.fromEntries(((data.error ? undefined : data())?.recent ?? []).map((r) => [r.id, r.metrics]));
  const summary = () => counts(connections.list);
  const recent = () =>
    [...connections.list]
      .sort((a, b) => (toDate(b.lastUsedAt)?.getTime() ?? 0) - (toDate(a.lastUsedAt)?.getTime() ?? 0))
      .slice(0, RECENT);

  return (
    <div class="page">
      <div class="page-head">
        <h1>Dashboard</h1>
        <span class="muted">{session.activeOrg()?.name}</span>
      </div>

      <section class="stat-grid" aria-label="Connections summary">
        <div class="card stat">
          <div class="label">Connections</div>
          <div class="value" data-testid="connection-count">
            {connections.list.length}
          </div>
        </div>
        <For each={Object.entries(ENGINE_LABELS) as [EngineName, string][]}>
          {([engine, label]) => (
            <div class="card stat">
              <div class="label">{label}</div>
              <div class="value">{summary().byEngine[engine]}</div>
            </div>
          )}
        </For>
        <div class="card stat wide">
          <div class="label">Last test</div>
          <div class="row" style={{ 'margin-top': '8px', 'flex-wrap': 'wrap' }}>
            <span class="row" title="Last test passed">
              <span class="dot ok" /> {summary().ok} ok
            </span>
            <span class="row" title="Last test failed">
              <span class="dot bad" /> {summary().failed} failing
            </span>
            <span class="row" title="Never tested">
              <span class="dot" /> {summary().untested} untested
            </span>
            <span class="muted">{summary().inactive} inactive</span>
          </div>
        </div>
      </section>

      <section class="card section" aria-label="Quick actions">
        <div class="section-head">
          <h2>Quick actions</h2>
        </div>
        <div class="row" style={{ 'flex-wrap': 'wrap' }}>
          <Show when={session.can('admin')}>
            <A class="btn primary" href="/connections/new">
              <Icon name="plus" /> New connection
            </A>
          </Show>
          <A class="btn" href="/query">
            <Icon name="query" /> Open the SQL editor
          </A>
          <A class="btn" href="/browser/builtin:demo">
            <Icon name="browser" /> Browse the demo database
          </A>
          <A class="btn" href="/documents">
            <Icon name="documents" /> Documents
          </A>
        </div>
      </section>

      <section class="card section" aria-label="Recently used connections">
        <div class="section-head">
          <h2>Recently used</h2>
          <A href="/connections">All connections</A>
        </div>
        <Show
          when={recent().length > 0}
          fallback={
            <div class="empty">
              {connections.loading() || data.loading
                ? 'Loading…'
                : 'Nothing used yet: open the SQL editor or browse the demo database from Quick actions.'}
            </div>
          }
        >
          <table class="grid">
            <thead>
              <tr>
                <th>Name</th>
                <th>Engine</th>
                <th>Status</th>
                <th>Last used</th>
                <th title="Queries in the last 24 hours">Queries 24h</th>
                <th>p50</th>
                <th>p95</th>
              </tr>
            </thead>
            <tbody>
              <For each={recent()}>
                {(c) => (
                  <tr>
                    <td>
                      <span class="row">
                        <span class="dot" style={{ background: c.color ?? undefined }} />
                        <A href={path`/query/${c.id}`}>{c.name}</A>
                      </span>
                    </td>
                    <td>{ENGINE_LABELS[c.engine]}</td>
                    <td>
                      <ConnectionStatus status={c.status} />
                    </td>
                    <td class="muted">{formatRelative(c.lastUsedAt)}</td>
                    <td class="mono">{metrics()?.[c.id]?.total ?? '—'}</td>
                    <td class="mono">{ms(metrics()?.[c.id]?.p50Ms)}</td>
                    <td class="mono">{ms(metrics()?.[c.id]?.p95Ms)}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </section>
    </div>
  );
}
