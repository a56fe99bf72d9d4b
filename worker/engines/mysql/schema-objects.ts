/**
 * MySQL / MariaDB objects a snapshot leaves out — functions, procedures, triggers and
 * events — listed from information_schema, then each printed by the server itself with
 * `SHOW CREATE …` (information_schema holds bodies, not the full statement).
 */
import { sql } from 'kysely';
import { records, str } from '../catalog-rows.ts';
import type { Engine } from '../engine.ts';
import type { ObjectDefinition, SchemaObjects } from '../schema-model.ts';
import { sqlBuilder } from '../sql-builder.ts';

const SYSTEM_SCHEMAS = "('mysql', 'information_schema', 'performance_schema', 'sys')";

/** As the introspector scopes: the connection's database (byte for byte), or every user database. */
const scope = (column: string) =>
  `((${column} = database() and cast(${column} as binary) = cast(database() as binary))
    or (database() is null and ${column} not in ${SYSTEM_SCHEMAS}))`;

export const MYSQL_OBJECT_QUERIES = {
  // Functions first: a procedure's body may call one (bodies are not checked at creation, but readers are).
  routines: `select routine_schema as \`schema\`, routine_name as \`name\`, routine_type as \`type\`
    from information_schema.routines where ${scope('routine_schema')}
    order by routine_schema, routine_type, cast(routine_name as binary)`,
  // Per table and event, in the order the server fires them (FOLLOWS/PRECEDES survive that way).
  triggers: `select trigger_schema as \`schema\`, trigger_name as \`name\`
    from information_schema.triggers where ${scope('trigger_schema')}
    order by trigger_schema, cast(event_object_table as binary), action_timing, event_manipulation, action_order`,
  events: `select event_schema as \`schema\`, event_name as \`name\`
    from information_schema.events where ${scope('event_schema')}
    order by event_schema, cast(event_name as binary)`,
} as const;

const SHOW = {
  FUNCTION: { statement: 'SHOW CREATE FUNCTION', column: 'Create Function', kind: 'function' },
  PROCEDURE: { statement: 'SHOW CREATE PROCEDURE', column: 'Create Procedure', kind: 'procedure' },
  TRIGGER: { statement: 'SHOW CREATE TRIGGER', column: 'SQL Original Statement', kind: 'trigger' },
  EVENT: { statement: 'SHOW CREATE EVENT', column: 'Create Event', kind: 'event' },
} as const;

/**
 * `DEFINER=user@host` is dropped so the statement runs for whoever replays it (naming
 * another account needs SET USER / SUPER); the object then runs as that login.
 */
const DEFINER =
  /^CREATE\s+DEFINER\s*=\s*(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|[^\s@]+)@(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|\S+)\s+/i;

export async function readMysqlObjects(engine: Engine): Promise<SchemaObjects> {
  const run = (text: string) => engine.query(text, { readOnly: true }).then(records);
  const [routines, triggers, events] = await Promise.all([
    run(MYSQL_OBJECT_QUERIES.routines),
    run(MYSQL_OBJECT_QUERIES.triggers),
    run(MYSQL_OBJECT_QUERIES.events),
  ]);
  const db = sqlBuilder('mysql');
  const listed = [
    ...routines.map((r) => ({ r, show: str(r.type) === 'PROCEDURE' ? SHOW.PROCEDURE : SHOW.FUNCTION })),
    ...triggers.map((r) => ({ r, show: SHOW.TRIGGER })),
    ...events.map((r) => ({ r, show: SHOW.EVENT })),
  ];
  // One SHOW per object (no catalog view prints the whole statement), a few at a time.
  const objects: ObjectDefinition[] = [];
  for (let i = 0; i < listed.length; i += SHOWS_AT_ONCE) {
    objects.push(...(await Promise.all(listed.slice(i, i + SHOWS_AT_ONCE).map(showCreate))));
  }
  return { extensions: [], objects };

  async function showCreate({ r, show }: (typeof listed)[number]): Promise<ObjectDefinition> {
    const schema = str(r.schema);
    const name = str(r.name);
    const [row] = await run(`${show.statement} ${sql.id(schema, name).compile(db).sql}`);
    const text = row?.[show.column];
    return {
      schema,
      name,
      kind: show.kind,
      // MySQL hides a routine's text from a login that neither defined it nor may read it.
      ...(text === null || text === undefined
        ? { definition: null, reason: 'its text is not visible to this login' }
        : { definition: str(text).trim().replace(DEFINER, 'CREATE ') }),
      afterTables: show.kind === 'trigger' || show.kind === 'event',
    };
  }
}

/** Enough to hide round-trip latency without a burst of hundreds of requests on a big schema. */
const SHOWS_AT_ONCE = 8;
