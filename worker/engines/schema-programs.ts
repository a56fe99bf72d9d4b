/**
 * Routines, triggers and events as catalog rows become `ProgramInfo` (one shape for every
 * engine's introspector) and the order a snapshot keeps them in.
 */
import { cmp, PROGRAM_KINDS, type ProgramInfo } from './schema-model.ts';

const KNOWN_KINDS = new Set<string>(PROGRAM_KINDS);
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
/**
 * A body longer than this is cut in the snapshot (and says so): one stored value holds at most
 * 2 MB, and a list, a search and a diff need no more. The DDL export reads whole texts live.
 */
const MAX_BODY_CHARS = 100_000;

/** One catalog row (`schema, name, kind, signature, returns, language, body`) as a `ProgramInfo`. */
export function toProgram(r: Record<string, unknown>): ProgramInfo {
  const kind = String(r.kind) as ProgramInfo['kind'];
  const body = text(r.body);
  return {
    schema: String(r.schema),
    name: String(r.name),
    kind: KNOWN_KINDS.has(kind) ? kind : 'function',
    signature: text(r.signature) ?? '',
    returns: text(r.returns),
    language: text(r.language),
    body:
      body && body.length > MAX_BODY_CHARS
        ? `${body.slice(0, MAX_BODY_CHARS)}\n-- (cut at ${MAX_BODY_CHARS} characters)`
        : body,
  };
}

/** Schema, kind, name, then signature (overloads), in code-unit order. */
export function sortPrograms(list: ProgramInfo[]): ProgramInfo[] {
  return list.sort(
    (a, b) =>
      cmp(a.schema, b.schema) || cmp(a.kind, b.kind) || cmp(a.name, b.name) || cmp(a.signature, b.signature),
  );
}
