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
  // Relative to the current database (`ON *`, `ON \`t\``), as the export writes every name.
  grants: `select table_schema as \`schema\`, table_schema as \`name\`,
      concat('GRANT ', group_concat(privilege_type order by privilege_type separator ', '), ' ON * TO ', grantee,
        if(is_grantable = 'YES', ' WITH GRANT OPTION', '')) as \`definition\`
    from information_schema.schema_privileges where ${scope('table_schema')}
    group by table_schema, grantee, is_grantable
    union all
    select table_schema, table_name,
      concat('GRANT ', group_concat(privilege_type order by privilege_type separator ', '), ' ON \`',
        replace(table_name, '\`', '\`\`'), '\` TO ', grantee, if(is_grantable = 'YES', ' WITH GRANT OPTION', ''))
    from information_schema.table_privileges where ${scope('table_schema')}
    group by table_schema, table_name, grantee, is_grantable
    order by 1, 2, 3`,
  events: `select event_schema as \`schema\`, event_name as \`name\`
    from information_schema.events where ${scope('event_schema')}
    order by event_schema, cast(event_name as binary)`,
} as const;

/** Binary equality beside the plain one, as the introspector compares names (case twins stay apart). */
const same = (a: string, b: string) => `${a} = ${b} and cast(${a} as binary) = cast(${b} as binary)`;

/**
 * Routines, triggers and events as the snapshot lists them (\`ProgramInfo\`), in one query the
 * introspector runs beside its own; information_schema holds bodies, which is all a list needs.
 */
export const MYSQL_PROGRAMS = `select r.routine_schema as \`schema\`, r.routine_name as \`name\`,
    lower(r.routine_type) as \`kind\`,
    coalesce((select group_concat(concat_ws(' ', if(r.routine_type = 'PROCEDURE', p.parameter_mode, null),
        p.parameter_name, p.dtd_identifier) order by p.ordinal_position separator ', ')
      from information_schema.parameters p
      where ${same('p.specific_schema', 'r.routine_schema')} and ${same('p.specific_name', 'r.specific_name')}
        and ${same('p.routine_type', 'r.routine_type')} and p.ordinal_position > 0), '') as \`signature\`,
    if(r.routine_type = 'FUNCTION', r.dtd_identifier, null) as \`returns\`, 'SQL' as \`language\`,
    r.routine_definition as \`body\`
  from information_schema.routines r where ${scope('r.routine_schema')}
  union all
  select trigger_schema, trigger_name, 'trigger',
    concat(action_timing, ' ', event_manipulation, ' ON ', event_object_table), null, 'SQL', action_statement
  from information_schema.triggers where ${scope('trigger_schema')}
  union all
  select event_schema, event_name, 'event',
    if(event_type = 'ONE TIME', concat('AT ', execute_at), concat('EVERY ', interval_value, ' ', interval_field)),
    null, 'SQL', event_definition
  from information_schema.events where ${scope('event_schema')}`;

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
  const [routines, triggers, events, grants] = await Promise.all([
    run(MYSQL_OBJECT_QUERIES.routines),
    run(MYSQL_OBJECT_QUERIES.triggers),
    run(MYSQL_OBJECT_QUERIES.events),
    run(MYSQL_OBJECT_QUERIES.grants),
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
  for (const r of grants) {
    objects.push({
      schema: str(r.schema),
      name: str(r.name),
      kind: 'grant',
      definition: str(r.definition),
      afterTables: true,
    });
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
