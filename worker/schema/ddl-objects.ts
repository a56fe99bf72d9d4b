/**
 * The parts of a DDL export that come from the live database rather than the snapshot:
 * extensions, types, routines, triggers and events (`Engine.schemaObjects`), each placed
 * where the objects it needs already exist. Each definition is the server's own text.
 */
import { dialectOf } from '../engines/dialects.ts';
import type { EngineName } from '../engines/engine.ts';
import type { ObjectDefinition, SchemaObjects } from '../engines/schema-model.ts';
import type { Quoting } from './ddl-common.ts';

/** Where in the script a group of objects goes. */
export type Phase = 'types' | 'beforeTables' | 'afterTables' | 'last' | 'grants';

const LAST = new Set<ObjectDefinition['kind']>(['trigger', 'event', 'row_security', 'policy', 'rule']);

export function phaseOf(o: ObjectDefinition): Phase {
  if (o.kind === 'type') return 'types';
  if (o.kind === 'grant') return 'grants';
  if (LAST.has(o.kind)) return 'last';
  return o.afterTables ? 'afterTables' : 'beforeTables';
}

/** What an export may add on request. */
export interface DdlOptions {
  /** GRANT statements for the privileges others hold (the grantees must exist on the target). */
  grants?: boolean;
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
export function notExported(
  engine: EngineName,
  objects: SchemaObjects | null,
  options: DdlOptions = {},
): string[] {
  const always = [LEFT_OUT_ALWAYS[engine], options.grants ? null : NO_GRANTS[engine]].filter(Boolean);
  const lines = always.length ? [`-- Not exported: ${always.join('; ')}.`] : [];
  if (options.grants && objects && NO_GRANTS[engine]) {
    lines.push(`-- Grants are included: each grantee must exist on the target server${GRANT_GAPS[engine]}.`);
  }
  if (!objects) {
    lines.push(
      `-- The database could not be reached at export time, so ${LIVE_ONLY[engine]} are not exported either.`,
    );
  }
  return lines;
}

const LEFT_OUT_ALWAYS: Record<EngineName, string | null> = {
  postgres: 'event triggers and ownership',
  mysql: "each routine's own sql_mode (the replaying session's applies)",
  sqlite: null,
};

/** What a grants export still leaves out. */
const GRANT_GAPS: Record<EngineName, string> = {
  postgres: '; privileges revoked from the defaults of types and languages, and default privileges, are not',
  mysql: '; column- and routine-level grants are not exported',
  sqlite: '',
};

const NO_GRANTS: Record<EngineName, string | null> = {
  postgres: 'grants (ask with grants=true)',
  mysql: 'grants (ask with grants=true)',
  sqlite: null,
};

const LIVE_ONLY: Record<EngineName, string> = {
  postgres:
    'extensions, composite and range types, functions, procedures, aggregates, triggers, row security, policies, rules and grants',
  mysql: 'functions, procedures, triggers and events',
  sqlite: 'triggers',
};
