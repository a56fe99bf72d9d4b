import { Show } from 'solid-js';
import { importCsv } from '../api/rows.ts';
import { useStore } from '../stores/index.tsx';
import { createLongTask } from '../stores/long-task.ts';
import LongTaskStatus from './long-task-status.tsx';

/**
 * "Import CSV" for a table's Data tab: the file's first line names the columns. While it runs,
 * the upload's progress and elapsed time show with a Cancel (which stops the upload; rows already
 * inserted stay). The outcome is a toast with the request id, and the grid reloads.
 */
export default function ImportCsv(props: {
  connectionId: string;
  schema: string;
  table: string;
  onImported: () => void;
}) {
  const { toasts } = useStore();
  const task = createLongTask();

  async function start(input: HTMLInputElement) {
    const file = input.files?.[0];
    if (!file) return;
    const outcome = await task.run((signal, report) =>
      importCsv(props.connectionId, props.schema, props.table, file, { signal, onProgress: report }),
    );
    input.value = '';
    switch (outcome.status) {
      case 'done': {
        const { result, requestId } = outcome.value;
        const plural = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
        if (result.failed === 0) {
          toasts.success(`Imported ${plural(result.inserted)} into ${props.table}`, requestId);
        } else {
          const first = result.errors[0];
          toasts.report(
            'error',
            `Imported ${plural(result.inserted)} into ${props.table}; ${plural(result.failed)} refused${first ? ` (line ${first.row}: ${first.message})` : ''}`,
            requestId,
          );
        }
        props.onImported();
        return;
      }
      case 'failed':
        toasts.error(outcome.error, 'Import failed');
        return;
      case 'cancelled':
        toasts.info('Import cancelled: rows the server received before the cancel may be in the table.');
        props.onImported();
        return;
      case 'superseded':
        return;
    }
  }

  return (
    <Show
      when={!task.running()}
      fallback={
        <LongTaskStatus
          task={task}
          label="Importing"
          testId="import-progress"
          cancelTitle="Stops the upload; rows the server already inserted stay"
        />
      }
    >
      <label class="btn small file-button" title="CSV whose first line names the columns">
        Import CSV
        <input
          type="file"
          accept=".csv,text/csv"
          class="sr-only"
          onChange={(e) => void start(e.currentTarget)}
        />
      </label>
    </Show>
  );
}
