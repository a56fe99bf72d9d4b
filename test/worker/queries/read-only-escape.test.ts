/**
 * The escape corpus (issue 11): every case is sent as a viewer (session), as a viewer-ceiling API
 * token and as an owner asking for `readOnly: true`, through POST /api/connections/:id/query and
 * through POST /api/connections/:id/export, and must be refused — and after each, the canary, the
 * catalog and /tmp are exactly as before.
 *
 * Each run gets its own databases (`atrium_escape_<tag>` on PostgreSQL and MariaDB), so the
 * datasets and the scratch databases other tests use are never touched. The checks run in write
 * mode as the editor (the saved login is a superuser, which is what lets it list /tmp through
 * pg_ls_dir — MariaDB writes to the same /tmp on this machine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, makeToken, type TestUser } from '../../support/auth.ts';
import { SCRATCH, uniqueName } from '../../support/fixtures.ts';
import {
  createTeam,
  type ErrorBody,
  exportQuery,
  query,
  saveConnection,
  sqlOk,
  type Team,
} from '../../support/team.ts';
import {
  ESCAPE_CORPUS,
  ESCAPE_SETUP,
  type EscapeCase,
  type EscapeEngine,
  renderEscape,
} from './escape-corpus.ts';

const run = uniqueName('atrium_escape');
let team: Team;
/** A viewer-ceiling token of an admin (its own user, so its own rate budget). */
let tokenUser: TestUser;
const connections = {} as Record<EscapeEngine, string>;

const PG_SNAPSHOT = `select
  (select md5(string_agg(id || ':' || note, ',' order by id)) from canary) as canary,
  (select last_value || ':' || is_called from canary_seq) as sequence,
  (select md5(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' order by n.nspname, c.relname))
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_to%'
       and n.nspname not like 'pg_temp%') as relations,
  (select md5(string_agg(p.proname || ':' || md5(p.prosrc), ',' order by p.proname))
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname not in ('pg_catalog', 'information_schema')) as routines,
  (select md5(string_agg(a.attname, ',' order by a.attnum))
     from pg_attribute a where a.attrelid = 'canary'::regclass) as columns,
  (select count(*)::int from pg_largeobject_metadata) as large_objects,
  (select obj_description('canary'::regclass, 'pg_class')) as comment,
  (select string_agg(rolname, ',') from pg_roles where rolname like '${run}%') as roles,
  (select string_agg(datname, ',' order by datname) from pg_database where datname like '${run}%') as databases,
  (select string_agg(gid, ',') from pg_prepared_xacts) as prepared`;

const MY_SNAPSHOT = `select
  (select md5(group_concat(concat(id, ':', note) order by id)) from canary) as canary,
  (select concat(next_not_cached_value) from canary_seq) as seq,
  (select md5(group_concat(concat(table_name, ':', table_type) order by table_name))
     from information_schema.tables where table_schema = '${run}') as rels,
  (select md5(group_concat(concat(routine_name, ':', md5(routine_definition)) order by routine_name))
     from information_schema.routines where routine_schema = '${run}') as procs,
  (select md5(group_concat(concat(table_name, '.', column_name) order by table_name, column_name))
     from information_schema.columns where table_schema = '${run}') as cols,
  (select group_concat(schema_name order by schema_name) from information_schema.schemata
     where schema_name like '${run}%') as dbs,
  (select group_concat(user) from mysql.user where user like '${run}%') as accounts`;

/** Everything a read-only run on `engine` must not be able to change, as comparable rows. */
async function catalog(engine: EscapeEngine): Promise<unknown[]> {
  const body = await sqlOk(team.editor, connections[engine], {
    sql: engine === 'postgres' ? PG_SNAPSHOT : MY_SNAPSHOT,
    readOnly: false,
  });
  return body.results[0]?.rows[0] ?? [];
}

/** The files under /tmp named like `prefix` (MariaDB writes to the same /tmp on this machine). */
async function files(prefix: string): Promise<unknown> {
  const body = await sqlOk(team.editor, connections.postgres, {
    sql: "select coalesce(string_agg(f, ',' order by f), '') from pg_ls_dir('/tmp') f where f like $1",
    params: [`${prefix}%`],
    readOnly: false,
  });
  return body.results[0]?.rows[0]?.[0];
}

const baseline = {} as Record<EscapeEngine, unknown[]>;
/**
 * Cases of one engine run one after another (each is judged by the state just before and after it);
 * the two engines' sequences run side by side.
 */
const chains: Record<EscapeEngine, Promise<unknown>> = {
  postgres: Promise.resolve(),
  mysql: Promise.resolve(),
};
function serially<T>(engine: EscapeEngine, fn: () => Promise<T>): Promise<T> {
  const next = chains[engine].then(fn);
  chains[engine] = next.catch(() => {});
  return next;
}

beforeAll(async () => {
  team = await createTeam();
  const admin = await addMember({ orgId: team.orgId, owner: team.owner }, 'admin');
  const token = await makeToken(admin, { ceiling: 'viewer', name: 'viewer ceiling' });
  tokenUser = { ...admin, bearerHeaders: token.headers };
  await Promise.all([
    sqlOk(team.editor, team.connections.pgScratch, { sql: `create database ${run}`, readOnly: false }),
    sqlOk(team.editor, team.connections.myScratch, { sql: `create database ${run}`, readOnly: false }),
  ]);
  [connections.postgres, connections.mysql] = await Promise.all([
    saveConnection(team.owner, 'escape pg', { ...SCRATCH.postgres, database: run }),
    saveConnection(team.owner, 'escape mysql', { ...SCRATCH.mysql, database: run }),
  ]);
  for (const engine of ['postgres', 'mysql'] as const) {
    // One statement at a time: MySQL routine bodies hold `;`, and these must not be split.
    for (const sql of ESCAPE_SETUP[engine]) {
      await sqlOk(team.editor, connections[engine], { statements: [{ sql }], readOnly: false });
    }
  }
  [baseline.postgres, baseline.mysql] = await Promise.all([catalog('postgres'), catalog('mysql')]);
}, 60_000);

afterAll(async () => {
  if (!team) return;
  // Whatever a failed case may have created outside the run's databases goes too.
  await Promise.allSettled([
    query(team.editor, team.connections.pgScratch, {
      sql: `drop database if exists ${run} with (force)`,
      readOnly: false,
    }),
    query(team.editor, team.connections.pgScratch, {
      sql: `drop database if exists ${run}_db`,
      readOnly: false,
    }),
    query(team.editor, team.connections.pgScratch, {
      sql: `drop role if exists ${run}_role`,
      readOnly: false,
    }),
    query(team.editor, team.connections.myScratch, {
      sql: `drop database if exists ${run}`,
      readOnly: false,
    }),
    query(team.editor, team.connections.myScratch, {
      sql: `drop database if exists ${run}_db`,
      readOnly: false,
    }),
    query(team.editor, team.connections.myScratch, {
      statements: [{ sql: `drop user if exists '${run}_u'` }, { sql: `drop user if exists '${run}_g'@'%'` }],
      readOnly: false,
    }),
  ]);
}, 60_000);

const CALLERS = ['viewer', 'viewer-ceiling token', 'owner readOnly'] as const;
type Caller = (typeof CALLERS)[number];

function send(caller: Caller, engine: EscapeEngine, body: object): Promise<Response> {
  if (caller === 'viewer') return query(team.viewer, connections[engine], body);
  if (caller === 'viewer-ceiling token') return query(tokenUser, connections[engine], body);
  return query(team.owner, connections[engine], { ...body, readOnly: true });
}

/** The same case as an export, which is always read-only and takes exactly one statement's text. */
function sendExport(
  caller: Caller,
  engine: EscapeEngine,
  body: { sql?: string; statements?: { sql: string }[] },
) {
  const sql = body.sql ?? (body.statements ?? []).map((s) => s.sql).join(';\n');
  const user = caller === 'viewer' ? team.viewer : caller === 'viewer-ceiling token' ? tokenUser : team.owner;
  return exportQuery(user, connections[engine], { sql, format: 'csv' });
}

/**
 * An export is refused when it answers an error, or when its stream fails before it ends (a
 * database refusal found at the first fetch aborts the download rather than completing it).
 */
async function exportRefused(res: Response): Promise<string | null> {
  if (res.status >= 400) return null;
  try {
    return `${res.status} ${await res.text()}`;
  } catch {
    return null;
  }
}

const DB_CODE: Record<EscapeEngine, string> = { postgres: '25006', mysql: '1792' };

function expectRefusal(c: EscapeCase, status: number, error: ErrorBody['error'] | undefined, who: string) {
  const seen = `${who}: ${status} ${JSON.stringify(error)}`;
  if (c.refusal === 'query_error') {
    expect(status, seen).toBe(400);
    expect(error?.code, seen).toBe('query_error');
    return;
  }
  expect(status, seen).toBe(403);
  expect(error?.code, seen).toBe('read_only_violation');
  if (c.refusal === 'guard') {
    // Refused before anything was sent: no database code, the guard's reason instead.
    expect(error?.details?.dbCode, seen).toBeUndefined();
    expect(['transaction_control', 'unguarded_write', 'server_effect'], seen).toContain(
      error?.details?.reason,
    );
  } else {
    expect(error?.details?.dbCode, seen).toBe(DB_CODE[c.engine]);
  }
}

/** Postgres and MariaDB cases alternate, so both sequences have work while tests run concurrently. */
function interleaved(): [EscapeCase, number][] {
  const indexed = ESCAPE_CORPUS.map((c, i) => [c, i] as [EscapeCase, number]);
  const pg = indexed.filter(([c]) => c.engine === 'postgres');
  const my = indexed.filter(([c]) => c.engine === 'mysql');
  return Array.from({ length: Math.max(pg.length, my.length) }, (_, i) => [pg[i], my[i]])
    .flat()
    .filter((x): x is [EscapeCase, number] => x !== undefined);
}

describe.concurrent('escape corpus: read-only runs change nothing', () => {
  it('has at least 60 cases, at least 30 per engine', () => {
    expect(ESCAPE_CORPUS.length).toBeGreaterThanOrEqual(60);
    for (const engine of ['postgres', 'mysql'] as const) {
      expect(ESCAPE_CORPUS.filter((c) => c.engine === engine).length).toBeGreaterThanOrEqual(30);
    }
  });

  for (const [c, index] of interleaved()) {
    const label = (Array.isArray(c.sql) ? `[${c.sql.join(' | ')}]` : c.sql).replace(/\s+/g, ' ');
    it(`${c.engine} #${index} (${c.refusal}): ${label.slice(0, 90)}`, { timeout: 60_000 }, async () => {
      const { body, file } = renderEscape(c, run, index);
      const { responses, errors, exported, before, after, written } = await serially(c.engine, async () => {
        // The three callers at once: each is refused on its own, and none may change anything.
        const responses = await Promise.all(CALLERS.map((caller) => send(caller, c.engine, body)));
        const errors = await Promise.all(
          responses.map(async (r) => (r.ok ? undefined : (await r.json<ErrorBody>()).error)),
        );
        const exported = await Promise.all(
          CALLERS.map(async (caller) => exportRefused(await sendExport(caller, c.engine, body))),
        );
        const [after, written] = await Promise.all([catalog(c.engine), files(file.slice('/tmp/'.length))]);
        const before = baseline[c.engine];
        // One escape must not fail every later case.
        baseline[c.engine] = after;
        return { responses, errors, exported, before, after, written };
      });
      expect(after, 'canary and catalog after the case').toEqual(before);
      expect(written, 'files the case wrote under /tmp').toBe('');
      responses.forEach((r, i) => {
        expectRefusal(c, r.status, errors[i], CALLERS[i]!);
      });
      expect(exported, 'exports that completed (status and body)').toEqual([null, null, null]);
    });
  }

  it('left no file under /tmp at all', { timeout: 600_000 }, async () => {
    // Runs once both sequences are done (after every case's `serially` call has been queued).
    await Promise.all([chains.postgres, chains.mysql]);
    expect(await files(`atrium-escape-${run}`)).toBe('');
  });
});

describe('the guard refuses only what it must', () => {
  const reads: [EscapeEngine, string][] = [
    ['postgres', "select count(*) from canary; select 'commit; copy canary to program ''x''' as s"],
    ['postgres', 'select $$ begin; commit; $$ as body /* a /* nested */ commit */'],
    ['postgres', "-- commit\nselect note from canary where note = 'set transaction read write'"],
    ['mysql', "select count(*) from canary; select 'commit; into outfile' as s"],
    ['mysql', '# commit\nselect `commit` from (select 1 as `commit`) t'],
  ];
  for (const [engine, sql] of reads) {
    it(`${engine}: a viewer's read that only mentions the words runs: ${sql.slice(0, 60)}`, async () => {
      const body = await sqlOk(team.viewer, connections[engine], { sql });
      expect(body.readOnly).toBe(true);
      expect(body.results.length).toBeGreaterThan(0);
    });
  }

  it('names the refused statement and does not run the ones before it', async () => {
    const res = await query(team.viewer, connections.postgres, {
      sql: 'select 1;\n  -- why not\n  COMMIT;\ncreate table escaped_x (x int)',
    });
    expect(res.status).toBe(403);
    const { error } = await res.json<ErrorBody>();
    expect(error.message).toContain('statement 2');
    expect(error.message).toContain('COMMIT');
    expect(error.details).toMatchObject({ statement: 2, reason: 'transaction_control', keyword: 'commit' });
  });

  it('leaves editors in write mode alone', async () => {
    const body = await sqlOk(team.editor, connections.postgres, {
      sql: "select set_config('application_name', 'escape-test', true) as v",
      readOnly: false,
    });
    expect(body.results[0]?.rows).toEqual([['escape-test']]);
  });
});
