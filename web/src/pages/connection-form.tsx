import { A, useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, Match, Show, Switch } from 'solid-js';
import { createStore } from 'solid-js/store';
import { capabilitiesOf } from '../../../worker/engines/capabilities.ts';
import { ApiError, describeError } from '../api/client.ts';
import { connections as connectionsApi } from '../api/connections.ts';
import type { EngineName } from '../api/types.ts';
import { Icon } from '../components/icons.tsx';
import { ENGINE_LABELS } from '../lib/format.ts';
import { useRouteParams } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';
import { ColorField } from './connection-color-field.tsx';
import {
  automaticTransport,
  blank,
  CONNECTION_STRING_EXAMPLE,
  DEFAULT_PORT,
  FORM_ENGINES,
  type FormState,
  fromConnection,
  targetChanged as movedFrom,
  reachedByHost,
  SSL_MODES,
  serverChanged,
  TRANSPORT_LABELS,
  toCreate,
  toSettings,
  toUpdate,
  transportChoices,
} from './connection-form-model.ts';
import { ReadOnlyLoginFields } from './read-only-login-fields.tsx';
import { SqliteRemoteFields } from './sqlite-remote-fields.tsx';

interface ShownTest {
  ok: boolean;
  text: string;
  /** "Viewers run as a superuser …" when the test found a privileged login. */
  warning?: string | null | undefined;
}

export default function ConnectionFormPage() {
  const params = useRouteParams<{ id?: string }>();
  const navigate = useNavigate();
  const { connections, toasts } = useStore();
  const editing = () => !!params.id;
  const [form, setForm] = createStore<FormState>(blank());
  const [error, setError] = createSignal<string>();
  const [saving, setSaving] = createSignal(false);
  const [testing, setTesting] = createSignal(false);
  const [testResult, setTestResult] = createSignal<ShownTest | null>(null);

  const [existing] = createResource(
    () => params.id,
    async (id) => {
      const c = await connectionsApi.get(id);
      setForm(fromConnection(c));
      return c;
    },
  );

  const set =
    <K extends keyof FormState>(key: K) =>
    (e: { currentTarget: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement }) => {
      setForm(key, e.currentTarget.value as FormState[K]);
      setTestResult(null);
    };

  function setEngine(engine: EngineName) {
    const wasDefault = form.port === '' || Object.values(DEFAULT_PORT).some((p) => String(p) === form.port);
    setForm('engine', engine);
    // Each engine has its own transports; start again from the host's default.
    setForm('transport', '');
    if (wasDefault) setForm('port', String(DEFAULT_PORT[engine] ?? ''));
    setTestResult(null);
  }

  /** A saved password goes only to the server and login it was saved for (see `targetChanged`). */
  const targetChanged = () => {
    const c = existing();
    return editing() && !!c && movedFrom(form, c);
  };
  const passwordRequired = () => targetChanged() && existing()?.hasPassword === true;
  /** The read-only login's saved password follows the same rule, for another server or user. */
  const serverMoved = () => {
    const c = existing();
    return editing() && !!c && serverChanged(form, c);
  };
  const readOnlyPasswordRequired = () =>
    !!form.readOnlyUser.trim() &&
    (!editing() || form.readOnlyUser.trim() !== form.savedReadOnlyUser || serverMoved());
  let passwordInput: HTMLInputElement | undefined;

  /** On edit without a newly typed secret the saved configuration is tested (the server holds the secret). */
  const testsSaved = () =>
    editing() &&
    !form.password &&
    !form.connectionString &&
    !targetChanged() &&
    !form.readOnlyPassword &&
    form.readOnlyUser.trim() === form.savedReadOnlyUser;

  async function test() {
    setTesting(true);
    setError(undefined);
    try {
      const r = testsSaved()
        ? await connections.test(params.id as string)
        : await connectionsApi.testUnsaved(toSettings(form));
      setTestResult(
        r.ok
          ? {
              ok: true,
              text: `Connected in ${r.latencyMs ?? '?'} ms · ${r.serverVersion ?? 'unknown version'}`,
              warning: r.privilegedLogin?.warning,
            }
          : { ok: false, text: r.error ? `${r.error.message} (${r.error.code})` : 'The test failed' },
      );
    } catch (err) {
      setTestResult({ ok: false, text: describeError(err) });
    } finally {
      setTesting(false);
    }
  }

  async function save(e: SubmitEvent) {
    e.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      const saved = editing()
        ? await connections.update(params.id as string, toUpdate(form, serverMoved()))
        : await connections.create(toCreate(form));
      // Record a real test of what was saved so the card's status dot reflects it at once.
      await connections.test(saved.id).catch(() => undefined);
      toasts.success(`${saved.name} saved`);
      navigate('/connections');
    } catch (err) {
      setError(describeError(err));
      if (err instanceof ApiError && err.code === 'password_required') passwordInput?.focus();
    } finally {
      setSaving(false);
    }
  }

  return (
    <div class="page" style={{ 'max-width': '760px' }}>
      <div class="page-head">
        <h1>{editing() ? `Edit ${existing()?.name ?? 'connection'}` : 'New connection'}</h1>
        <A href="/connections">Back to connections</A>
      </div>
      <Show when={existing.error}>
        <p class="alert error">{describeError(existing.error)}</p>
      </Show>
      <Show when={existing()?.privilegedLogin?.warning}>
        {(warning) => (
          <p class="alert warning" role="note" data-testid="privileged-login">
            {warning()}
          </p>
        )}
      </Show>
      <form class="card section" onSubmit={save} aria-label="Connection">
        <div class="form-grid">
          <label class="field span-4">
            <span>Name</span>
            <input name="name" required maxLength={100} value={form.name} onInput={set('name')} />
          </label>
          <label class="field span-2">
            <span>Engine</span>
            <select
              name="engine"
              value={form.engine}
              disabled={editing()}
              onChange={(e) => setEngine(e.currentTarget.value as EngineName)}
            >
              <For each={FORM_ENGINES}>
                {(engine) => <option value={engine}>{ENGINE_LABELS[engine]}</option>}
              </For>
            </select>
          </label>
          <label class="field span-6">
            <span>Description</span>
            <input name="description" maxLength={500} value={form.description} onInput={set('description')} />
          </label>
          <ColorField value={form.color} onPick={(color) => setForm('color', color)} />

          <Show
            when={reachedByHost(form.engine)}
            fallback={<SqliteRemoteFields form={form} set={set} editing={editing()} />}
          >
            <label class="field span-3">
              {/* Not "Transport": a label that contains "port" would also answer to the Port field's name. */}
              <span>Connect via</span>
              <select name="transport" value={form.transport} onChange={set('transport')}>
                <option value="">Automatic ({TRANSPORT_LABELS[automaticTransport(form)]})</option>
                <For each={transportChoices(form.engine)}>
                  {(t) => <option value={t}>{TRANSPORT_LABELS[t]}</option>}
                </For>
              </select>
            </label>
          </Show>
          <Show when={form.transport === 'hyperdrive'}>
            <label class="field span-3">
              <span>Hyperdrive binding</span>
              <input
                name="hyperdrive"
                class="mono"
                required
                autocomplete="off"
                spellcheck={false}
                placeholder="HYPERDRIVE"
                value={form.hyperdrive}
                onInput={set('hyperdrive')}
              />
              <span class="hint">From wrangler.toml; the binding supplies server and login.</span>
            </label>
          </Show>

          <Show when={form.transport !== 'hyperdrive' && reachedByHost(form.engine)}>
            <div class="span-6 row">
              <fieldset class="segmented">
                <legend class="sr-only">How to connect</legend>
                <button
                  type="button"
                  aria-pressed={form.mode === 'fields'}
                  onClick={() => {
                    setForm('mode', 'fields');
                    setTestResult(null);
                  }}
                >
                  Fields
                </button>
                <button
                  type="button"
                  aria-pressed={form.mode === 'string'}
                  onClick={() => {
                    setForm('mode', 'string');
                    setTestResult(null);
                  }}
                >
                  Connection string
                </button>
              </fieldset>
              <span class="subtle">Secrets are encrypted at rest and never shown again.</span>
            </div>

            <Switch>
              <Match when={form.mode === 'string'}>
                <label class="field span-6">
                  <span>Connection string</span>
                  <input
                    name="connectionString"
                    class="mono"
                    autocomplete="off"
                    spellcheck={false}
                    placeholder={CONNECTION_STRING_EXAMPLE[form.engine]}
                    required={!editing()}
                    value={form.connectionString}
                    onInput={set('connectionString')}
                  />
                  <Show when={editing()}>
                    <span class="hint">Leave empty to keep the stored connection string.</span>
                  </Show>
                </label>
              </Match>
              <Match when={form.mode === 'fields'}>
                <label class="field span-3">
                  <span>Host</span>
                  <input name="host" required autocomplete="off" value={form.host} onInput={set('host')} />
                </label>
                <label class="field span-1">
                  <span>Port</span>
                  <input
                    name="port"
                    type="number"
                    min="1"
                    max="65535"
                    value={form.port}
                    onInput={set('port')}
                  />
                </label>
                <label class="field span-2">
                  <span>TLS</span>
                  <select name="sslMode" value={form.sslMode} onChange={set('sslMode')}>
                    <For each={SSL_MODES}>{(mode) => <option value={mode}>{mode}</option>}</For>
                  </select>
                </label>
                <label class="field span-2">
                  <span>Database</span>
                  <input name="database" autocomplete="off" value={form.database} onInput={set('database')} />
                </label>
                <label class="field span-2">
                  <span>User</span>
                  <input name="user" autocomplete="off" value={form.user} onInput={set('user')} />
                </label>
                <label class="field span-2">
                  <span>Password</span>
                  <input
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    ref={passwordInput}
                    required={passwordRequired()}
                    aria-invalid={passwordRequired() && !form.password}
                    placeholder={
                      passwordRequired()
                        ? 'Enter it again'
                        : editing() && existing()?.hasPassword
                          ? '•••••• (unchanged)'
                          : ''
                    }
                    value={form.password}
                    onInput={set('password')}
                  />
                  <Show when={passwordRequired()}>
                    <span class="hint" role="note">
                      The server or login changed: type the password again. A saved password is never sent to
                      a different server.
                    </span>
                  </Show>
                </label>
              </Match>
            </Switch>

            <Show when={capabilitiesOf(form.engine).logins}>
              <ReadOnlyLoginFields form={form} set={set} passwordRequired={readOnlyPasswordRequired()} />
            </Show>
          </Show>

          <label class="field span-4">
            <span>Tags</span>
            <input name="tags" placeholder="production, analytics" value={form.tags} onInput={set('tags')} />
            <span class="hint">Comma separated.</span>
          </label>
          <label class="field span-2">
            <span>Active</span>
            <span class="switch">
              <input
                type="checkbox"
                name="active"
                checked={form.active}
                onChange={(e) => setForm('active', e.currentTarget.checked)}
              />
              {form.active ? 'Accepts queries' : 'Queries refused'}
            </span>
          </label>
        </div>

        <Show when={testResult()}>
          {(r) => (
            <div class={`alert ${r().ok ? 'success' : 'error'}`} data-testid="test-result" role="status">
              {r().text}
              <Show when={r().warning}>
                {(warning) => <div data-testid="test-privileged-login">{warning()}</div>}
              </Show>
            </div>
          )}
        </Show>
        <Show when={error()}>
          <p class="alert error" role="alert">
            {error()}
          </p>
        </Show>

        <div class="row">
          <button type="button" disabled={testing()} onClick={test}>
            <Icon name="bolt" /> {testing() ? 'Testing…' : 'Test connection'}
          </button>
          <Show when={testsSaved()}>
            <span class="subtle">Tests the saved configuration.</span>
          </Show>
          <span class="grow" />
          <A class="btn" href="/connections">
            Cancel
          </A>
          <button type="submit" class="primary" disabled={saving()}>
            {editing() ? 'Save changes' : 'Save connection'}
          </button>
        </div>
      </form>
    </div>
  );
}
