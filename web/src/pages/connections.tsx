import { A } from '@solidjs/router';
import { createSignal, For, onMount, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import type { Connection } from '../api/types.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { ConnectionStatus } from '../components/connection-status.tsx';
import { Icon } from '../components/icons.tsx';
import { ENGINE_LABELS } from '../lib/format.ts';
import { path } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';
import { TRANSPORT_LABELS } from './connection-form-model.ts';

function target(c: Connection): string {
  if (c.builtin) return `Embedded D1 database${c.d1Binding ? ` (${c.d1Binding})` : ''}`;
  if (c.hyperdrive) return `Hyperdrive binding ${c.hyperdrive}`;
  if (c.connectionStringRedacted) return c.connectionStringRedacted;
  const where = [c.host, c.port].filter(Boolean).join(':');
  return [c.user ? `${c.user}@` : '', where, c.database ? `/${c.database}` : ''].join('') || '—';
}

function ConnectionCard(props: { connection: Connection }) {
  const { connections, session, toasts } = useStore();
  const [testing, setTesting] = createSignal(false);
  const c = () => props.connection;
  const admin = () => session.can('admin') && !c().builtin;

  async function test() {
    setTesting(true);
    try {
      const result = await connections.test(c().id);
      if (!result.ok) toasts.error(`${c().name}: test failed`);
    } catch (err) {
      toasts.error(describeError(err));
    } finally {
      setTesting(false);
    }
  }

  async function toggle(active: boolean) {
    try {
      await connections.setActive(c().id, active);
    } catch (err) {
      toasts.error(`Could not ${active ? 'activate' : 'deactivate'} ${c().name}: ${describeError(err)}`);
    }
  }

  return (
    <article
      class="card conn-card"
      classList={{ inactive: !c().active }}
      style={{ '--conn-color': c().color ?? undefined }}
      data-testid="connection-card"
      data-name={c().name}
    >
      <div class="title">
        <Show when={admin()} fallback={<span>{c().name}</span>}>
          <A href={path`/connections/${c().id}`}>{c().name}</A>
        </Show>
        <span class="grow" />
        <span class="badge">{ENGINE_LABELS[c().engine]}</span>
        <Show when={c().transport}>
          {(transport) => (
            <span class="badge" title="Transport" data-testid="connection-transport">
              {TRANSPORT_LABELS[transport()]}
            </span>
          )}
        </Show>
        <Show when={c().builtin}>
          <span class="badge">built-in</span>
        </Show>
      </div>
      <div class="meta mono" title={target(c())}>
        {target(c())}
      </div>
      <Show when={c().description}>
        <div class="meta">{c().description}</div>
      </Show>
      <Show when={c().tags.length > 0}>
        <div class="row" style={{ 'flex-wrap': 'wrap', gap: '4px' }}>
          <For each={c().tags}>{(tag) => <span class="badge">{tag}</span>}</For>
        </div>
      </Show>
      <ConnectionStatus status={c().status} />
      <Show when={c().privilegedLogin?.warning}>
        {(warning) => (
          <div class="alert warning" role="note" data-testid="privileged-login">
            {warning()}
          </div>
        )}
      </Show>
      <div class="actions">
        <button type="button" class="small" disabled={testing()} onClick={test}>
          <Icon name="bolt" /> {testing() ? 'Testing…' : 'Test'}
        </button>
        <A class="btn small" href={path`/query/${c().id}`}>
          Query
        </A>
        <A class="btn small" href={path`/browser/${c().id}`}>
          Browse
        </A>
        <span class="grow" />
        <Show when={admin()}>
          <label class="switch" title={c().active ? 'Active' : 'Inactive: queries are refused'}>
            <input
              type="checkbox"
              checked={c().active}
              aria-label={`${c().name} active`}
              onChange={(e) => toggle(e.currentTarget.checked)}
            />
          </label>
          <ConfirmButton
            label={<Icon name="trash" />}
            ariaLabel={`Delete ${c().name}`}
            title={`Delete ${c().name}?`}
            message="The connection and its stored credentials are removed from Atrium. The database itself is not touched."
            onConfirm={async () => {
              try {
                await connections.remove(c().id);
                toasts.success(`${c().name} deleted`);
              } catch (err) {
                toasts.error(describeError(err));
              }
            }}
          />
        </Show>
      </div>
    </article>
  );
}

export default function ConnectionsPage() {
  const { connections, session } = useStore();
  const [filter, setFilter] = createSignal('');
  onMount(() => void connections.refetch());
  const shown = () => {
    const q = filter().trim().toLowerCase();
    if (!q) return connections.list;
    return connections.list.filter((c) =>
      [c.name, c.engine, c.description ?? '', ...c.tags].some((v) => v.toLowerCase().includes(q)),
    );
  };

  return (
    <div class="page">
      <div class="page-head">
        <h1>Connections</h1>
        <input
          type="search"
          placeholder="Filter by name, engine, tag"
          aria-label="Filter connections"
          value={filter()}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <Show when={session.can('admin')}>
          <A class="btn primary" href="/connections/new">
            <Icon name="plus" /> New connection
          </A>
        </Show>
      </div>
      <Show when={connections.error()}>
        <p class="alert error">{describeError(connections.error())}</p>
      </Show>
      <Show
        when={shown().length > 0}
        fallback={
          <div class="empty">
            {connections.loading()
              ? 'Loading…'
              : 'No connections match: clear the filter, or add a connection.'}
          </div>
        }
      >
        <div class="conn-grid">
          <For each={shown()}>{(c) => <ConnectionCard connection={c} />}</For>
        </div>
      </Show>
    </div>
  );
}
