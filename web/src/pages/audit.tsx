import { createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { audit } from '../api/audit.ts';
import { describeError } from '../api/client.ts';
import type { AuditEntry, AuditFilter } from '../api/types.ts';
import { formatDateTime } from '../lib/format.ts';
import { useStore } from '../stores/index.tsx';

const PAGE = 50;

/** `<input type="datetime-local">` gives local wall time; the API takes ISO instants. */
const toIso = (local: FormDataEntryValue | null) => {
  const s = String(local ?? '');
  return s ? new Date(s).toISOString() : undefined;
};

export default function AuditPage() {
  const { session } = useStore();
  const [entries, setEntries] = createStore<AuditEntry[]>([]);
  const [filter, setFilter] = createSignal<AuditFilter>({});
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [started, setStarted] = createSignal(false);

  /** First page replaces the rows, later pages append (cursor = last id of the previous page). */
  async function load(reset: boolean) {
    setLoading(true);
    setError(undefined);
    try {
      const page = await audit.list(filter(), reset ? null : cursor(), PAGE);
      setEntries(reset ? page.entries : [...entries, ...page.entries]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setLoading(false);
      setStarted(true);
    }
  }

  function apply(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim() || undefined;
    setFilter({
      actor: text('actor'),
      action: text('action'),
      target: text('target'),
      from: toIso(form.get('from')),
      to: toIso(form.get('to')),
    });
    void load(true);
  }

  if (session.can('admin')) void load(true);

  return (
    <div class="page">
      <div class="page-head">
        <h1>Audit log</h1>
        <span class="muted">
          Append-only record of sign-ins, membership, token, connection and query events.
        </span>
      </div>
      <Show
        when={session.can('admin')}
        fallback={<p class="alert">Only admins and owners can read the audit log.</p>}
      >
        <form class="card filters" onSubmit={apply} aria-label="Filter the audit log">
          <label class="field">
            <span>Actor</span>
            <input name="actor" placeholder="email or user id" />
          </label>
          <label class="field">
            <span>Action</span>
            <input name="action" placeholder="e.g. query.execute" />
          </label>
          <label class="field">
            <span>Target</span>
            <input name="target" placeholder="e.g. connection:…" />
          </label>
          <label class="field">
            <span>From</span>
            <input name="from" type="datetime-local" />
          </label>
          <label class="field">
            <span>To</span>
            <input name="to" type="datetime-local" />
          </label>
          <button type="submit" class="primary">
            Apply
          </button>
        </form>
        <Show when={error()}>
          <p class="alert error" role="alert">
            {error()}
          </p>
        </Show>
        <div class="card" style={{ overflow: 'auto' }}>
          <table class="grid" aria-label="Audit entries">
            <thead>
              <tr>
                <th>Time</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Target</th>
                <th>Outcome</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              <For
                each={entries}
                fallback={
                  <tr>
                    <td colSpan={6} class="muted">
                      {started() ? 'No entries match: widen the filters above.' : 'Loading…'}
                    </td>
                  </tr>
                }
              >
                {(e) => (
                  <tr data-testid="audit-row">
                    <td class="muted" style={{ 'white-space': 'nowrap' }}>
                      {formatDateTime(e.createdAt)}
                    </td>
                    <td>
                      {e.actorEmail ?? e.actorId ?? '—'}
                      <Show when={e.via === 'token'}>
                        {' '}
                        <span class="badge">token</span>
                      </Show>
                    </td>
                    <td class="mono">{e.action}</td>
                    <td class="mono">{e.target ?? '—'}</td>
                    <td>
                      <span class="row">
                        <span class={`dot ${e.outcome === 'success' ? 'ok' : 'bad'}`} aria-hidden="true" />
                        {e.outcome}
                      </span>
                    </td>
                    <td
                      class="mono"
                      style={{ 'max-width': '420px', overflow: 'hidden', 'text-overflow': 'ellipsis' }}
                    >
                      <Show when={e.statement}>
                        <span title={e.statement ?? ''}>{e.statement}</span>
                      </Show>
                      <Show when={e.durationMs !== null}>
                        <span class="subtle"> · {e.durationMs} ms</span>
                      </Show>
                      <Show when={e.rows !== null}>
                        <span class="subtle"> · {e.rows} rows</span>
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
        <Show when={cursor()}>
          <div>
            <button type="button" disabled={loading()} onClick={() => load(false)}>
              {loading() ? 'Loading…' : 'Load more'}
            </button>
          </div>
        </Show>
      </Show>
    </div>
  );
}
