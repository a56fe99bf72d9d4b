import { createSignal, For, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { type ExportFormat, exportsApi } from '../api/exports.ts';

const FORMATS: ExportFormat[] = ['csv', 'ndjson', 'json'];

/** What to export: a query's SQL or a whole table. */
export type ExportSource = { sql: string } | { schema: string; table: string };

/** The server accepts a plain name (it adds the extension); anything else becomes `_`. */
const safeName = (name: string) => name.replace(/[^\w .-]+/g, '_').slice(0, 100) || 'export';

/**
 * Hands the export to the browser's download manager, which streams it to disk
 * and shows its progress, so a file of any size never sits in this page's
 * memory. A query first becomes a one-time ticket (a POST, so its refusals —
 * several statements, a write — show here); the download itself is a plain GET
 * that names only the ticket, never the SQL. CSV cells that a spreadsheet would
 * run as formulas are escaped: these files are meant to be opened, not re-imported.
 */
export default function ExportButtons(props: {
  connectionId: string | undefined;
  source: () => ExportSource | null;
  filename: string;
}) {
  const [starting, setStarting] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  async function download(format: ExportFormat) {
    const source = props.source();
    const connectionId = props.connectionId;
    if (!connectionId || !source) return;
    setError(null);
    setStarting(true);
    try {
      const filename = safeName(props.filename);
      let url: string;
      if ('sql' in source) {
        const { ticket } = await exportsApi.ticket(connectionId, {
          sql: source.sql,
          escapeFormulas: true,
          filename,
        });
        url = exportsApi.ticketUrl(connectionId, ticket, format);
      } else {
        url = exportsApi.tableUrl(connectionId, source.schema, source.table, format);
      }
      const link = document.createElement('a');
      link.href = url;
      link.download = `${filename}.${format}`;
      // A detached anchor downloads fine and leaves nothing in the DOM.
      link.click();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setStarting(false);
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
            disabled={starting() || !props.connectionId || !props.source()}
            onClick={() => download(format)}
          >
            {format.toUpperCase()}
          </button>
        )}
      </For>
      <Show when={starting()}>
        <span class="export-progress" role="status" data-testid="export-progress">
          <span class="spinner" /> starting…
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
