/**
 * Imports a SQL dump (the output of `sqlite3 .dump`) into a hosted database as it streams in:
 * statements are split on arrival (dump-splitter.ts), sent to the object in batches, and each
 * batch's progress is reported as it finishes, so a large dump is never held whole and the
 * page can show how far it got. A statement SQLite refuses is reported with its line and the
 * import goes on, as `sqlite3` does reading a file.
 */
import type { DumpStatement } from '../../durable-objects/hosted-sqlite.ts';
import type { Env } from '../env.ts';
import { DumpSplitter } from './dump-splitter.ts';
import { hostedStub } from './service.ts';

/** A dump may be this large (Cloudflare's request body limit on the Free and Pro plans is 100 MB). */
export const MAX_DUMP_BYTES = 100 * 1024 * 1024;
/** SQL storage refuses longer statements; text this long with no `;` is not a dump. */
export const MAX_STATEMENT_CHARS = 100 * 1024;
const BATCH_STATEMENTS = 500;
const BATCH_CHARS = 256 * 1024;
const MAX_REPORTED_ERRORS = 100;

/**
 * Statements a dump carries that SQL storage runs its own way: it allows no BEGIN/COMMIT
 * (each batch is one call, committed as a whole by the platform) and foreign keys are turned
 * off for every batch by the object itself.
 */
const SKIPPED =
  /^(?:begin(?:\s+(?:deferred|immediate|exclusive))?(?:\s+transaction)?|commit(?:\s+transaction)?|end(?:\s+transaction)?|rollback(?:\s+transaction)?|pragma\s+foreign_keys\s*=\s*\w+)\s*;?$/i;

export interface ImportProgress {
  type: 'progress';
  /** Bytes of the body read so far. */
  bytes: number;
  /** Statements read, executed, refused and skipped so far. */
  statements: number;
  executed: number;
  failed: number;
  skipped: number;
  /** The line the last statement sent starts on. */
  line: number;
}

export interface ImportError {
  line: number;
  message: string;
}

export type ImportEvent =
  | ImportProgress
  | {
      type: 'done';
      bytes: number;
      statements: number;
      executed: number;
      failed: number;
      skipped: number;
      /** The first 100 refused statements; `failed` counts them all. */
      errors: ImportError[];
      /** Rows whose foreign key points nowhere once the dump is in (`PRAGMA foreign_key_check`). */
      foreignKeyViolations: number;
    }
  | { type: 'failed'; code: string; message: string; bytes: number; executed: number };

class ImportAbort extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs the import; yields a progress event per batch and a last `done` or `failed` event. */
export async function* importDump(
  env: Env,
  connectionId: string,
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ImportEvent> {
  const stub = hostedStub(env, connectionId);
  const splitter = new DumpSplitter();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const p: ImportProgress = {
    type: 'progress',
    bytes: 0,
    statements: 0,
    executed: 0,
    failed: 0,
    skipped: 0,
    line: 0,
  };
  const errors: ImportError[] = [];
  let batch: DumpStatement[] = [];
  let batchChars = 0;

  const flush = async (): Promise<ImportProgress | null> => {
    if (batch.length === 0) return null;
    const sent = batch;
    batch = [];
    batchChars = 0;
    const outcome = await stub.importBatch(sent);
    p.executed += outcome.executed;
    p.failed += outcome.errors.length;
    for (const e of outcome.errors) if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
    p.line = sent[sent.length - 1]!.line;
    return { ...p };
  };
  const take = (statements: readonly DumpStatement[]) => {
    for (const s of statements) {
      p.statements++;
      if (SKIPPED.test(s.sql)) p.skipped++;
      else {
        batch.push(s);
        batchChars += s.sql.length;
      }
    }
  };

  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      p.bytes += value.byteLength;
      if (p.bytes > MAX_DUMP_BYTES) {
        throw new ImportAbort('payload_too_large', `SQL dumps are limited to ${MAX_DUMP_BYTES} bytes`);
      }
      take(splitter.push(decodeChunk(decoder, value)));
      if (splitter.pending > MAX_STATEMENT_CHARS) {
        throw new ImportAbort(
          'statement_too_long',
          `A statement is longer than ${MAX_STATEMENT_CHARS} characters (the platform's limit) or never ends with ";"`,
        );
      }
      while (batch.length >= BATCH_STATEMENTS || batchChars >= BATCH_CHARS) {
        const rest = batch.splice(BATCH_STATEMENTS);
        const event = await flush();
        batch = rest;
        batchChars = rest.reduce((n, s) => n + s.sql.length, 0);
        if (event) yield event;
      }
    }
    take([...splitter.push(decodeChunk(decoder, undefined)), ...[splitter.end()].filter((s) => s !== null)]);
    const last = await flush();
    if (last) yield last;
    const foreignKeyViolations = await stub.foreignKeyViolations();
    const { type: _progress, line: _line, ...totals } = p;
    yield { type: 'done', ...totals, errors, foreignKeyViolations };
  } catch (err) {
    await reader.cancel().catch(() => {});
    const code = err instanceof ImportAbort ? err.code : 'import_failed';
    const message = err instanceof Error ? err.message : String(err);
    yield { type: 'failed', code, message, bytes: p.bytes, executed: p.executed };
  }
}

function decodeChunk(decoder: TextDecoder, value: Uint8Array | undefined): string {
  try {
    // stream: true keeps a UTF-8 sequence split across chunks for the next one.
    return value ? decoder.decode(value, { stream: true }) : decoder.decode();
  } catch {
    throw new ImportAbort('invalid_dump', 'The dump is not UTF-8 text');
  }
}
