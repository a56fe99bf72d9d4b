import { createResource, createSignal, For, Show } from 'solid-js';
import { describeError, requestIdOf } from '../api/client.ts';
import { tokens } from '../api/tokens.ts';
import type { CreatedApiToken, Role } from '../api/types.ts';
import { ROLES } from '../api/types.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { useStore } from '../stores/index.tsx';
import { CopyField } from './members.tsx';

const DAY_MS = 24 * 3600 * 1000;
const EXPIRY_DAYS = [
  { value: '', label: 'Never' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
];

/** API tokens of the signed-in user in the active organization; the secret is shown once. */
export default function TokensPanel() {
  const { session, toasts } = useStore();
  const [list, { refetch }] = createResource(
    () => session.activeOrg()?.id,
    async () => (await tokens.list()).tokens,
  );
  const [created, setCreated] = createSignal<CreatedApiToken | null>(null);
  const [error, setError] = createSignal<string>();
  const ceilings = () => ROLES.filter((r) => ROLES.indexOf(r) <= ROLES.indexOf(session.role() ?? 'viewer'));

  async function create(e: SubmitEvent) {
    e.preventDefault();
    const formEl = e.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    const days = String(form.get('expires'));
    setError(undefined);
    try {
      const token = await tokens.create({
        name: String(form.get('name')).trim(),
        ceiling: String(form.get('ceiling')) as Role,
        expiresAt: days ? new Date(Date.now() + Number(days) * DAY_MS).toISOString() : null,
      });
      setCreated(token);
      formEl.reset();
      await refetch();
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <>
      <div class="card section">
        <form class="filters" onSubmit={create} aria-label="Create an API token">
          <label class="field grow">
            <span>Name</span>
            <input name="name" required maxLength={100} placeholder="nightly export script" />
          </label>
          <label class="field">
            <span>Role ceiling</span>
            <select name="ceiling">
              <For each={ceilings()}>
                {(r) => (
                  <option value={r} selected={r === 'viewer'}>
                    {r}
                  </option>
                )}
              </For>
            </select>
          </label>
          <label class="field">
            <span>Expires</span>
            <select name="expires">
              <For each={EXPIRY_DAYS}>{(o) => <option value={o.value}>{o.label}</option>}</For>
            </select>
          </label>
          <button type="submit" class="primary">
            Create token
          </button>
        </form>
        <Show when={error()}>
          <p class="alert error" role="alert">
            {error()}
          </p>
        </Show>
        <Show when={created()}>
          {(t) => (
            <div class="field">
              <span>
                Token “{t().apiToken.name}” — copy it now, it is not shown again. Send it as{' '}
                <code>Authorization: Bearer …</code>
              </span>
              <CopyField value={t().token} label="New API token" testId="new-token" />
            </div>
          )}
        </Show>
      </div>
      <div class="card">
        <Show when={list.error}>
          <p class="alert error" style={{ margin: '12px' }}>
            {describeError(list.error)}
          </p>
        </Show>
        <table class="grid" aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Ceiling</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For
              each={list() ?? []}
              fallback={
                <tr>
                  <td colSpan={7} class="muted">
                    No tokens yet: create one above to call the API from a script.
                  </td>
                </tr>
              }
            >
              {(t) => (
                <tr>
                  <td>{t.name}</td>
                  <td class="mono">atr_{t.prefix}…</td>
                  <td>
                    <span class="badge">{t.ceiling}</span>
                  </td>
                  <td class="muted">{formatDateTime(t.createdAt)}</td>
                  <td class="muted">{formatRelative(t.lastUsedAt)}</td>
                  <td class="muted">{t.expiresAt ? formatDateTime(t.expiresAt) : 'never'}</td>
                  <td style={{ 'text-align': 'right' }}>
                    <ConfirmButton
                      label="Revoke"
                      title={`Revoke “${t.name}”?`}
                      message="Scripts using it get 401 from now on."
                      confirmLabel="Revoke"
                      onConfirm={async () => {
                        try {
                          const answer = await tokens.revoke(t.id);
                          toasts.success('Token revoked', requestIdOf(answer));
                        } catch (err) {
                          toasts.error(err);
                        }
                        await refetch();
                      }}
                    />
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </>
  );
}
