import { createSignal, For, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { toHttpFailure } from './http-failure.ts';

export type ExportFormat = 'csv' | 'ndjson' | 'json';
const FORMATS: ExportFormat[] = ['csv', 'ndjson', 'json'];
const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
};

/** What to export: a query's SQL or a whole table. */
export type ExportSource = { sql: string } | { schema: string; table: string };

function exportUrl(connectionId: string, source: ExportSource, format: ExportFormat): string {
  const params = new URLSearchParams({ format });
  if ('sql' in source) params.set('sql', source.sql);
  else {
    params.set('schema', source.schema);
    params.set('table', source.table);
  }
  return `/api/connections/${encodeURIComponent(connectionId)}/export?${params}`;
}

const formatBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;

/**
 * Reads the streamed export chunk by chunk so progress shows while it arrives
 * (the server cannot know the total size up front), then hands the file over.
 */
export default function ExportButtons(props: {
  connectionId: string | undefined;
  source: () => ExportSource | null;
  filename: string;
}) {
  const [received, setReceived] = createSignal<number | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  let controller: AbortController | null = null;

  async function download(format: ExportFormat) {
    const source = props.source();
    if (!props.connectionId || !source) return;
    controller = new AbortController();
    setError(null);
    setReceived(0);
    try {
      const res = await fetch(exportUrl(props.connectionId, source, format), {
        credentials: 'include',
        signal: controller.signal,
      });
      if (!res.ok || !res.body) throw await toHttpFailure(res);
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        total += value.byteLength;
        setReceived(total);
      }
      const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: MIME[format] }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${props.filename}.${format}`;
      // A detached anchor downloads fine and leaves nothing in the DOM.
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) setError(describeError(err));
    } finally {
      setReceived(null);
      controller = null;
    }
  }

  return (
    <div class="export-buttons row">
      <span class="subtle">Export</span>
      <For each={FORMATS}>
        {(format) => (
          <button
            type="button"
            class="btn small"
            disabled={received() !== null || !props.connectionId || !props.source()}
            onClick={() => download(format)}
          >
            {format.toUpperCase()}
          </button>
        )}
      </For>
      <Show when={received() !== null}>
        <span class="export-progress" role="status" data-testid="export-progress">
          <span class="spinner" /> {formatBytes(received() ?? 0)}
          <button type="button" class="link" onClick={() => controller?.abort()}>
            cancel
          </button>
        </span>
      </Show>
      <Show when={error()}>
        <span class="error-text" role="alert">
          {error()}
        </span>
      </Show>
    </div>
  );
}
