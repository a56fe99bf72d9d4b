import { createSignal, For, Show } from 'solid-js';
import { requestIdOf } from '../api/client.ts';
import { type ExportFormat, exportsApi } from '../api/exports.ts';
import { useStore } from '../stores/index.tsx';

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
 * Progress and cancel are the download manager's; a toast says the file is on its way (with the
 * ticket's request id) or why it was refused.
 */
export default function ExportButtons(props: {
  connectionId: string | undefined;
  source: () => ExportSource | null;
  filename: string;
}) {
  const { toasts } = useStore();
  const [starting, setStarting] = createSignal(false);

  async function download(format: ExportFormat) {
    const source = props.source();
    const connectionId = props.connectionId;
    if (!connectionId || !source) return;
    setStarting(true);
    try {
      const filename = safeName(props.filename);
      let url: string;
      let requestId: string | undefined;
      if ('sql' in source) {
        const answer = await exportsApi.ticket(connectionId, {
          sql: source.sql,
          escapeFormulas: true,
          filename,
        });
        requestId = requestIdOf(answer);
        url = exportsApi.ticketUrl(connectionId, answer.ticket, format);
      } else {
        url = exportsApi.tableUrl(connectionId, source.schema, source.table, format);
      }
      const link = document.createElement('a');
      link.href = url;
      link.download = `${filename}.${format}`;
      // A detached anchor downloads fine and leaves nothing in the DOM.
      link.click();
      toasts.info(`${filename}.${format} is downloading: your browser shows its progress.`, requestId);
    } catch (err) {
      toasts.error(err, 'Export refused');
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
    </div>
  );
}
