import type { ColumnMeta } from '../engines/engine.ts';
import type { Encoder } from './encoders.ts';

type Batch = { columns: ColumnMeta[]; rows: unknown[][] };

export interface ExportStream {
  body: ReadableStream<Uint8Array>;
}

/**
 * Pulls the engine's batches only as fast as the client reads (highWaterMark 0:
 * one batch in flight), so memory stays at one batch whatever the result size.
 *
 * The first batch is read before this returns, so a query that fails at once
 * still gets a JSON error response. A failure after that ERRORS the stream:
 * the runtime aborts the response instead of ending it, so a client never takes
 * a truncated file for a complete one.
 */
export async function exportStream(
  batches: AsyncIterable<Batch>,
  encoder: Encoder,
  done: (result: { rowCount: number; error?: unknown }) => void,
): Promise<ExportStream> {
  const iterator = batches[Symbol.asyncIterator]();
  const utf8 = new TextEncoder();
  const first = await iterator.next();
  let rowCount = 0;
  let columns: ColumnMeta[] = first.done ? [] : first.value.columns;
  let pending: Batch | null = first.done ? null : first.value;
  let ended = first.done === true;
  let settled = false;
  const settle = (error?: unknown) => {
    if (settled) return;
    settled = true;
    done(error === undefined ? { rowCount } : { rowCount, error });
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const head = encoder.head(columns);
        if (head) controller.enqueue(utf8.encode(head));
      },
      async pull(controller) {
        try {
          if (!pending && !ended) {
            const next = await iterator.next();
            if (next.done) ended = true;
            else pending = next.value;
          }
          if (pending) {
            const batch = pending;
            pending = null;
            if (batch.columns.length > 0) columns = batch.columns;
            rowCount += batch.rows.length;
            controller.enqueue(utf8.encode(encoder.batch(columns, batch.rows)));
            return;
          }
          controller.enqueue(utf8.encode(encoder.tail()));
          controller.close();
          settle();
        } catch (err) {
          controller.error(err);
          settle(err);
        }
      },
      async cancel(reason) {
        settle(reason ?? new Error('export cancelled by the client'));
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return { body };
}
