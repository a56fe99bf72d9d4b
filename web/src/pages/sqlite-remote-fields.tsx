import { Match, Show, Switch } from 'solid-js';
import type { FormState } from './connection-form-model.ts';
import { REMOTE_SQLITE_CHOICES, remoteSqliteTransport, TRANSPORT_LABELS } from './connection-form-model.ts';

type Key = 'transport' | 'accountId' | 'database' | 'connectionString' | 'password';
type Setter = (key: Key) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => void;

/**
 * The connection form for SQLite reached over HTTP: D1 through Cloudflare's REST API (account id,
 * database id, API token) or libSQL/Turso (URL, auth token). Tokens are sealed in the vault and
 * never shown again; on edit an empty token keeps the stored one for the same database.
 */
export function SqliteRemoteFields(props: { form: FormState; set: Setter; editing: boolean }) {
  const transport = () => remoteSqliteTransport(props.form);
  const tokenHint = () => (props.editing ? '•••••• (unchanged)' : '');
  return (
    <>
      <label class="field span-3">
        <span>Connect via</span>
        <select name="transport" value={transport()} onChange={props.set('transport')}>
          {REMOTE_SQLITE_CHOICES.map((t) => (
            <option value={t}>{TRANSPORT_LABELS[t]}</option>
          ))}
        </select>
      </label>
      <Switch>
        <Match when={transport() === 'd1-http'}>
          <label class="field span-3">
            <span>Account ID</span>
            <input
              name="accountId"
              class="mono"
              required
              autocomplete="off"
              spellcheck={false}
              value={props.form.accountId}
              onInput={props.set('accountId')}
            />
          </label>
          <label class="field span-3">
            <span>Database ID</span>
            <input
              name="database"
              class="mono"
              required
              autocomplete="off"
              spellcheck={false}
              placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
              value={props.form.database}
              onInput={props.set('database')}
            />
          </label>
          <label class="field span-3">
            <span>API token</span>
            <input
              name="password"
              type="password"
              autocomplete="new-password"
              required={!props.editing}
              placeholder={tokenHint()}
              value={props.form.password}
              onInput={props.set('password')}
            />
            <span class="hint">A Cloudflare API token with D1 read (or edit) permission.</span>
          </label>
        </Match>
        <Match when={transport() === 'libsql-http'}>
          <label class="field span-3">
            <span>URL</span>
            <input
              name="connectionString"
              class="mono"
              required={!props.editing}
              autocomplete="off"
              spellcheck={false}
              placeholder={props.editing ? '(unchanged)' : 'libsql://database-org.turso.io'}
              value={props.form.connectionString}
              onInput={props.set('connectionString')}
            />
          </label>
          <label class="field span-3">
            <span>Auth token</span>
            <input
              name="password"
              type="password"
              autocomplete="new-password"
              placeholder={tokenHint()}
              value={props.form.password}
              onInput={props.set('password')}
            />
          </label>
        </Match>
      </Switch>
      <Show when={props.editing}>
        <span class="subtle span-6">Pointing at another database needs its token again.</span>
      </Show>
    </>
  );
}
