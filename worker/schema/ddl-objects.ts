/**
 * The parts of a DDL export that come from the live database rather than the snapshot:
 * extensions, types, routines, triggers and events (`Engine.schemaObjects`), each placed
 * where the objects it needs already exist. Each definition is the server's own text.
 */
import { dialectOf } from '../engines/dialects.ts';
import type { EngineName } from '../engines/engine.ts';
import type { ObjectDefinition, SchemaObjects } from '../engines/schema-model.ts';

/** Where in the script a group of objects goes. */
export type Phase = 'types' | 'beforeTables' | 'afterTables' | 'last';

export function phaseOf(o: ObjectDefinition): Phase {
  if (o.kind === 'type') return 'types';
  if (o.kind === 'trigger' || o.kind === 'event') return 'last';
  return o.afterTables ? 'afterTables' : 'beforeTables';
}

interface Quoting {
  id: (...names: string[]) => string;
  lit: (value: string) => string;
}

/** `CREATE EXTENSION` for each, noting the source's version (the target may carry another). */
export function extensionLines(q: Quoting, objects: SchemaObjects | null): string[] {
  if (!objects?.extensions.length) return [];
  const out = [
    '',
    '-- Extensions, as installed on the source; each must be available on the target server',
    '-- (select name from pg_available_extensions), or the statements that need it fail.',
  ];
  for (const e of objects.extensions) {
    out.push(`-- ${e.name} ${e.version} on the source`);
    out.push(`CREATE EXTENSION IF NOT EXISTS ${q.id(e.name)} WITH SCHEMA ${q.id(e.schema)};`);
  }
  return out;
}

/**
 * The statements of one phase. MySQL routine, trigger and event bodies hold `;`, so they
 * are wrapped in `DELIMITER ;;` as mysqldump does; a Postgres body is dollar-quoted
 * already. When several MySQL databases are exported, each object is created after a
 * `USE`, since the server prints its name unqualified.
 */
export function objectLines(
  engine: EngineName,
  q: Quoting,
  objects: SchemaObjects | null,
  phase: Phase,
  multipleSchemas = false,
): string[] {
  const picked = (objects?.objects ?? []).filter((o) => phaseOf(o) === phase);
  if (!picked.length) return [];
  const out: string[] = [''];
  const { prologue, delimiter } = dialectOf(engine).routineScript;
  if (prologue && phase === 'beforeTables') out.push(prologue);
  const delimited = delimiter !== null;
  if (delimited) out.push(`DELIMITER ${delimiter}`);
  let schema: string | null = null;
  for (const o of picked) {
    if (o.definition === null) {
      out.push(`-- Not exported: ${o.kind} ${q.id(o.schema, o.name)}: ${o.reason ?? 'unknown reason'}.`);
      continue;
    }
    if (delimited && multipleSchemas && o.schema !== schema) {
      schema = o.schema;
      out.push(`USE ${q.id(o.schema)}${delimiter}`);
    }
    out.push(`${o.definition}${delimiter ?? ';'}`);
  }
  if (delimited) out.push('DELIMITER ;');
  return out;
}

/** The header line naming what the export leaves out, which depends on whether the live read worked. */
export function notExported(engine: EngineName, objects: SchemaObjects | null): string[] {
  const always = LEFT_OUT_ALWAYS[engine];
  const lines = always ? [`-- Not exported: ${always}.`] : [];
  if (!objects) {
    lines.push(
      `-- The database could not be reached at export time, so ${LIVE_ONLY[engine]} are not exported either.`,
    );
  }
  return lines;
}

const LEFT_OUT_ALWAYS: Record<EngineName, string | null> = {
  postgres: 'rules, policies, event triggers, grants and ownership',
  mysql: "grants, and each routine's own sql_mode (the replaying session's applies)",
  sqlite: null,
};

const LIVE_ONLY: Record<EngineName, string> = {
  postgres: 'extensions, composite and range types, functions, procedures, aggregates and triggers',
  mysql: 'functions, procedures, triggers and events',
  sqlite: 'triggers',
};
