import { A } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { type HostedDatabase, hosted, type ImportEvent, importDump } from '../api/hosted.ts';
import { path } from '../lib/paths.ts';

const units = ['B', 'KB', 'MB', 'GB'];
function bytes(n: number): string {
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** SQLite databases hosted by Atrium: create, fill from a `sqlite3 .dump`, see size against the limit, drop. */
export default function HostedPage() {
  const [list, { refetch }] = createResource(() => hosted.list());
  const [error, setError] = createSignal<string>();

  async function create(e: SubmitEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    setError(undefined);
    try {
      await hosted.create({ name });
      form.reset();
      await refetch();
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <div class="page">
      <div class="page-head">
        <h1>Hosted SQLite</h1>
      </div>
      <p class="muted">
        Databases Atrium keeps for your organization, each in its own Durable Object. Once created, each is a
        connection: browse, query, edit and export it like any other.
      </p>
      <div class="card section">
        <form class="filters" onSubmit={create} aria-label="Create a hosted database">
          <label class="field grow">
            <span>Name</span>
            <input name="name" required maxLength={100} />
          </label>
          <button type="submit" class="primary">
            Create database
          </button>
        </form>
        <Show when={error()}>
          <p class="alert error" role="alert">
            {error()}
          </p>
        </Show>
      </div>
      <Show when={list()?.length === 0}>
        <p class="empty">No hosted database yet: create one above, then import a SQL dump into it.</p>
      </Show>
      <For each={list()}>{(db) => <HostedCard db={db} onDrop={() => void refetch()} />}</For>
    </div>
  );
}

function HostedCard(props: { db: HostedDatabase; onDrop: () => void }) {
  const [sent, setSent] = createSignal<number>();
  const [fileSize, setFileSize] = createSignal(0);
  const [progress, setProgress] = createSignal<ImportEvent>();
  const [message, setMessage] = createSignal<string>();
  const [confirm, setConfirm] = createSignal('');
  // Measured again after an import, in place, so this card (and its import report) stays.
  const [size, setSize] = createSignal(props.db.sizeBytes);
  const used = () => Math.min(100, (size() / props.db.limitBytes) * 100);

  async function upload(e: Event) {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setFileSize(file.size);
    setMessage(undefined);
    setProgress(undefined);
    try {
      const last = await importDump(props.db.id, file, setSent, setProgress);
      setMessage(
        last.type === 'done'
          ? `Imported: ${last.executed} statements ran, ${last.failed} refused, ${last.skipped} skipped.`
          : `The import stopped: ${last.message}`,
      );
      setSize((await hosted.get(props.db.id)).sizeBytes);
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      input.value = '';
    }
  }

  async function drop(e: SubmitEvent) {
    e.preventDefault();
    try {
      await hosted.drop(props.db.id, confirm());
      props.onDrop();
    } catch (err) {
      setMessage(describeError(err));
    }
  }

  return (
    <section class="card section" data-testid="hosted-database" aria-label={props.db.name}>
      <h2>
        <A href={path`/browser/${props.db.id}`}>{props.db.name}</A>
      </h2>
      <p>
        <meter min={0} max={100} value={used()} aria-label="Storage used" /> {bytes(size())} of{' '}
        {bytes(props.db.limitBytes)} (Durable Object limit)
      </p>
      <label class="field">
        <span>
          Import a SQL dump (<code>sqlite3 my.db .dump &gt; my.sql</code>); CSV goes into a table from the
          browser
        </span>
        <input type="file" accept=".sql,.txt,application/sql,text/plain" onChange={upload} />
      </label>
      <Show when={sent() !== undefined && !message()}>
        <p aria-live="polite">
          <progress max={fileSize() || 1} value={sent() ?? 0} /> uploaded {bytes(sent() ?? 0)}
          {progress() ? `; ${progress()!.executed} statements run, up to line ${progress()!.line ?? 0}` : ''}
        </p>
      </Show>
      <Show when={message()}>
        <p class="alert" aria-live="polite">
          {message()}
        </p>
      </Show>
      <Show when={progress()?.errors?.length}>
        <ul class="muted">
          <For each={progress()!.errors}>
            {(err) => (
              <li>
                Line {err.line}: {err.message}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form class="filters" onSubmit={drop} aria-label={`Drop ${props.db.name}`}>
        <label class="field grow">
          <span>
            Type <strong>{props.db.name}</strong> to drop it and all its data
          </span>
          <input value={confirm()} onInput={(e) => setConfirm(e.currentTarget.value)} />
        </label>
        <button type="submit" class="danger" disabled={confirm() !== props.db.name}>
          Drop database
        </button>
      </form>
    </section>
  );
}
