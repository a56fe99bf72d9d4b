import { A, useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Match, Show, Switch } from 'solid-js';
import { createStore } from 'solid-js/store';
import { describeError } from '../api/client.ts';
import { type ConnectionTestInput, connections as connectionsApi } from '../api/connections.ts';
import type { Connection, ConnectionInput, ConnectionUpdate, EngineName, SslMode } from '../api/types.ts';
import { Icon } from '../components/icons.tsx';
import { ENGINE_LABELS } from '../lib/format.ts';
import { useStore } from '../stores/index.tsx';

const COLORS = ['#2f6fde', '#8b5cf6', '#1f9d55', '#c27c0e', '#d0393e', '#0e9aa7', '#6b7280'];
const DEFAULT_PORT: Record<EngineName, number | undefined> = {
  postgres: 5432,
  mysql: 3306,
  sqlite: undefined,
};
const SSL_MODES: SslMode[] = ['disable', 'require', 'verify-full'];
/** SQLite connections are D1 databases bound in wrangler.toml, listed as built-ins; not created here. */
const FORM_ENGINES: EngineName[] = ['postgres', 'mysql'];

interface FormState {
  name: string;
  description: string;
  color: string;
  engine: EngineName;
  mode: 'fields' | 'string';
  connectionString: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  sslMode: SslMode;
  tags: string;
  active: boolean;
}

const blank = (): FormState => ({
  name: '',
  description: '',
  color: COLORS[0] ?? '#2f6fde',
  engine: 'postgres',
  mode: 'fields',
  connectionString: '',
  host: '127.0.0.1',
  port: '5432',
  database: '',
  user: '',
  password: '',
  sslMode: 'disable',
  tags: '',
  active: true,
});

function fromConnection(c: Connection): FormState {
  return {
    ...blank(),
    name: c.name,
    description: c.description ?? '',
    color: c.color ?? COLORS[0] ?? '#2f6fde',
    engine: c.engine,
    mode: c.usesConnectionString && !c.host ? 'string' : 'fields',
    host: c.host ?? '',
    port: c.port ? String(c.port) : '',
    database: c.database ?? '',
    user: c.user ?? '',
    sslMode: c.sslMode ?? 'disable',
    tags: c.tags.join(', '),
    active: c.active,
  };
}

/** How to reach the database: exactly what a test needs (the test route refuses other fields). */
function toSettings(f: FormState): ConnectionTestInput {
  if (f.mode === 'string') return { engine: f.engine, connectionString: f.connectionString.trim() };
  return {
    engine: f.engine,
    host: f.host.trim(),
    port: f.port ? Number(f.port) : undefined,
    database: f.database.trim() || undefined,
    user: f.user.trim() || undefined,
    password: f.password || undefined,
    sslMode: f.sslMode,
  };
}

function toFields(f: FormState) {
  return {
    name: f.name.trim(),
    description: f.description.trim() || undefined,
    color: f.color,
    active: f.active,
    tags: f.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
}

const toCreate = (f: FormState): ConnectionInput => ({ ...toFields(f), ...toSettings(f) });

/**
 * On edit, secrets are sent only when typed: an empty password or connection
 * string keeps the stored one; an emptied database or user is cleared.
 */
function toUpdate(f: FormState): ConnectionUpdate {
  const { engine: _engine, ...settings } = toSettings(f);
  if (f.mode === 'string') return f.connectionString ? { ...toFields(f), ...settings } : toFields(f);
  return {
    ...toFields(f),
    ...settings,
    database: settings.database ?? null,
    user: settings.user ?? null,
    password: settings.password,
  };
}

interface ShownTest {
  ok: boolean;
  text: string;
}

export default function ConnectionFormPage() {
  const params = useParams<{ id?: string }>();
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
    if (wasDefault) setForm('port', String(DEFAULT_PORT[engine] ?? ''));
    setTestResult(null);
  }

  /** On edit without a newly typed secret the saved configuration is tested (the server holds the secret). */
  const testsSaved = () => editing() && !form.password && !form.connectionString;

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
        ? await connections.update(params.id as string, toUpdate(form))
        : await connections.create(toCreate(form));
      // Record a real test of what was saved so the card's status dot reflects it at once.
      await connections.test(saved.id).catch(() => undefined);
      toasts.success(`${saved.name} saved`);
      navigate('/connections');
    } catch (err) {
      setError(describeError(err));
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
          <fieldset class="field span-6" style={{ border: 0, padding: 0, margin: 0 }}>
            <span>Color</span>
            <div class="row">
              <For each={COLORS}>
                {(color) => (
                  <button
                    type="button"
                    class="ghost"
                    aria-label={`Color ${color}`}
                    aria-pressed={form.color === color}
                    style={{
                      width: '22px',
                      height: '22px',
                      padding: 0,
                      background: color,
                      'border-radius': '50%',
                      outline: form.color === color ? '2px solid var(--fg)' : 'none',
                      'outline-offset': '2px',
                    }}
                    onClick={() => setForm('color', color)}
                  />
                )}
              </For>
              <input type="color" aria-label="Custom color" value={form.color} onInput={set('color')} />
            </div>
          </fieldset>

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
                  placeholder={
                    form.engine === 'postgres'
                      ? 'postgres://user:password@host:5432/database?sslmode=require'
                      : 'mysql://user:password@host:3306/database'
                  }
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
                  placeholder={editing() && existing()?.hasPassword ? '•••••• (unchanged)' : ''}
                  value={form.password}
                  onInput={set('password')}
                />
              </label>
            </Match>
          </Switch>

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
