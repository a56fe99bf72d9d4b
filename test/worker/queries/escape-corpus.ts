/**
 * Statements and scripts that try to write, or to leave the read-only transaction, from a read-only
 * run. Shared by every route that runs caller SQL read-only (the query route here; the export route
 * can loop over the same list with `renderEscape`).
 *
 * Each case runs against a throwaway database that holds (see ESCAPE_SETUP):
 * `canary` (a table with three rows), `canary_seq` (a sequence), `bump()` (a function that inserts
 * into canary) and `proc_commit()` (a procedure that inserts and COMMITs).
 *
 * Placeholders: `{file}` a path under /tmp that must never appear, `{run}` the run's unique tag.
 */

export type EscapeEngine = 'postgres' | 'mysql';

/**
 * Who refuses, and so what the caller sees:
 * - `guard`: 403 `read_only_violation` from worker/queries/read-only-guard.ts, before anything is sent;
 * - `database`: 403 `read_only_violation` carrying the database's code (25006 / 1792);
 * - `query_error`: 400, the database cannot run it inside a transaction at all.
 */
export type EscapeRefusal = 'guard' | 'database' | 'query_error';

export interface EscapeCase {
  engine: EscapeEngine;
  /** The script as one text (split by Atrium), or statement by statement when an array. */
  sql: string | string[];
  refusal: EscapeRefusal;
}

const pg = (refusal: EscapeRefusal, sql: string | string[]): EscapeCase => ({
  engine: 'postgres',
  sql,
  refusal,
});
const my = (refusal: EscapeRefusal, sql: string | string[]): EscapeCase => ({
  engine: 'mysql',
  sql,
  refusal,
});

export const ESCAPE_SETUP: Record<EscapeEngine, string[]> = {
  postgres: [
    'create table canary (id int primary key, note text)',
    "insert into canary values (1, 'one'), (2, 'two'), (3, 'three')",
    'create sequence canary_seq',
    "create function bump() returns int language sql as $$ insert into canary values (100, 'bumped') returning id $$",
    "create procedure proc_commit() language plpgsql as $$ begin insert into canary values (101, 'proc'); commit; end $$",
  ],
  mysql: [
    'create table canary (id int primary key, note varchar(40))',
    "insert into canary values (1, 'one'), (2, 'two'), (3, 'three')",
    'create sequence canary_seq',
    "create function bump() returns int modifies sql data begin insert into canary values (100, 'bumped'); return 1; end",
    "create procedure proc_commit() begin insert into canary values (101, 'proc'); commit; end",
  ],
};

export const ESCAPE_CORPUS: readonly EscapeCase[] = [
  // Postgres: transaction control in every spelling, behind comments, whitespace and quotes.
  pg('guard', 'commit'),
  pg('guard', 'COMMIT WORK'),
  pg('guard', 'CoMmIt AND NO CHAIN'),
  pg('guard', 'select 1; commit; create table escaped_a (x int)'),
  pg('guard', ['select 1', 'commit', 'create table escaped_b (x int)']),
  pg('guard', "-- a comment\n/* a block */\n\t  commit;\ninsert into canary values (50, 'x')"),
  pg('guard', "/* outer /* nested */ still comment */ rollback; insert into canary values (51, 'x')"),
  pg('guard', '\n\n\t END ;\r\n create table escaped_c (x int)'),
  pg('guard', 'abort; delete from canary'),
  pg('guard', "begin; insert into canary values (52, 'x'); commit"),
  pg('guard', "start transaction read write; insert into canary values (53, 'x'); commit"),
  pg(
    'guard',
    "select 1; /* a */ -- b\n  BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE; update canary set note = 'begun'",
  ),
  pg('guard', "set transaction read write; insert into canary values (54, 'x')"),
  pg('guard', ['SET TRANSACTION READ WRITE', 'delete from canary']),
  pg('guard', 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE'),
  pg('guard', 'set default_transaction_read_only = off'),
  pg('guard', 'SET LOCAL transaction_read_only TO off; delete from canary'),
  pg('guard', 'set session "transaction_read_only" = \'off\'; truncate canary'),
  pg('guard', 'reset all'),
  pg('guard', "savepoint s1; release savepoint s1; insert into canary values (55, 'x')"),
  pg('guard', 'rollback to savepoint s1'),
  pg('guard', "prepare transaction '{run}'"),
  pg('guard', "commit prepared '{run}'"),
  pg('guard', '((commit))'),
  pg('guard', 'select $$;commit;$$ as s; commit; drop table canary'),
  pg('guard', 'select $outer$ $inner$ ; commit $inner$ $outer$; end; drop table canary'),
  pg('guard', "select E'\\'; commit; drop table canary; -- '"),
  pg('guard', "set standard_conforming_strings = off; select 'a\\'; commit; drop table canary; -- '"),
  pg('guard', "DO $$ begin insert into canary values (56, 'do'); end $$"),
  pg(
    'guard',
    "do language plpgsql $body$ begin perform 1; commit; insert into canary values (57, 'x'); end $body$",
  ),
  pg('guard', 'call proc_commit()'),
  pg('guard', 'CALL /* c */ proc_commit ( )'),
  pg('guard', 'lock table canary in access exclusive mode'),
  pg('guard', "select lo_from_bytea(0, 'written in a read-only transaction')"),
  pg('guard', 'select lo_unlink(oid) from pg_largeobject_metadata'),
  // Postgres: server-side effects a read-only transaction does not stop.
  pg('guard', "COPY (select 1) TO PROGRAM 'touch {file}'"),
  pg('guard', "copy canary from program 'echo 70,x' with (format csv)"),
  pg('guard', "copy canary to '{file}'"),
  pg('guard', "/* x */ copy (select * from canary) to '{file}' with (format csv)"),
  pg('guard', "select 1; copy (select 1) to program 'touch {file}'"),
  pg('guard', "copy (select pg_read_file('/etc/hostname')) to stdout"),
  pg('guard', "select lo_export(lo_from_bytea(0, 'x'), '{file}')"),
  pg('guard', "select lo_import('/etc/hostname')"),
  pg('guard', "select pg_read_file('/etc/hostname')"),
  pg('guard', "select pg_catalog.pg_read_binary_file /* c */ ('/etc/hostname')"),
  pg('guard', 'select "pg_read_file"(\'/etc/hostname\')'),
  pg('guard', 'select U&"pg\\005fread_file"(\'/etc/hostname\')'),
  pg('guard', "select * from pg_ls_dir('/tmp')"),
  pg('guard', "select pg_stat_file('/etc/hostname')"),
  pg('guard', 'select pg_terminate_backend(pg_backend_pid())'),
  pg('guard', 'select pg_cancel_backend(0)'),
  pg('guard', 'select pg_reload_conf()'),
  pg('guard', "select set_config('default_transaction_read_only', 'off', false)"),
  pg('guard', "select query_to_xml('select pg_read_file(''/etc/hostname'')', true, true, '')"),
  pg('guard', "select dblink_exec('dbname=postgres', 'create table escaped_d (x int)')"),
  // Postgres: writes the SQL text does not announce; the read-only transaction refuses them.
  pg('database', "with x as (insert into canary values (60, 'cte') returning *) select * from x"),
  pg('database', 'select 1; with d as (delete from canary returning 1) select count(*) from d'),
  pg('database', "select nextval('canary_seq')"),
  pg('database', "select setval('canary_seq', 99)"),
  pg('database', 'select bump()'),
  pg('database', 'select * into escaped_e from canary'),
  pg('database', 'create table escaped_f (x int)'),
  pg('database', "update canary set note = 'changed'"),
  pg('database', 'truncate canary'),
  pg('database', 'drop table canary'),
  pg('database', 'create temp table escaped_tmp (x int)'),
  pg('database', "explain analyze insert into canary values (61, 'x')"),
  pg('database', 'select * from canary for update'),
  pg('database', 'create role {run}_role'),
  pg('database', 'create database {run}_db'),
  pg('database', 'merge into canary c using (select 1 as id) s on c.id = s.id when matched then delete'),
  pg('database', "comment on table canary is 'x'"),
  pg('query_error', 'vacuum canary'),

  // MariaDB: transaction control, and statements that commit implicitly (DDL, account management).
  my('guard', 'commit'),
  my('guard', 'COMMIT; create table escaped_a (x int)'),
  my('guard', "select 1; commit; insert into canary values (50, 'x')"),
  my('guard', ['select 1', 'commit', "insert into canary values (50, 'x')"]),
  my('guard', '# a comment\n-- another\n/* block */ CoMmIt'),
  my('guard', 'set autocommit=1'),
  my('guard', "SET autocommit = 1; insert into canary values (51, 'x')"),
  my('guard', 'set @@autocommit = 1'),
  my('guard', 'set @@session.transaction_read_only = 0'),
  my('guard', "set session transaction read write; insert into canary values (52, 'x')"),
  my('guard', 'SET TRANSACTION READ WRITE'),
  my('guard', 'set session tx_read_only = 0'),
  my('guard', "start transaction read write; insert into canary values (53, 'x'); commit"),
  my('guard', "begin; insert into canary values (54, 'x'); commit"),
  my('guard', 'begin work'),
  my('guard', "rollback; insert into canary values (55, 'x')"),
  my('guard', ['/*!50000 commit*/']),
  my('guard', 'select 1 /*!50000 ; commit; drop table canary */'),
  my('guard', ['/*M!100000 drop table canary */']),
  my('guard', "set sql_mode = 'NO_BACKSLASH_ESCAPES'; select 'a\\'; commit; drop table canary; -- '"),
  my('guard', "xa start '{run}'"),
  my('guard', "XA BEGIN 'x'"),
  my('guard', 'xa recover'),
  my('guard', 'handler canary open'),
  my('guard', ['HANDLER canary OPEN', 'HANDLER canary READ FIRST']),
  my('guard', "lock tables canary write; insert into canary values (56, 'x'); unlock tables"),
  my('guard', 'unlock tables'),
  my('guard', 'savepoint s1'),
  my('guard', 'call proc_commit()'),
  my('guard', ["begin not atomic insert into canary values (57, 'x'); commit; end"]),
  my('guard', "prepare s from 'commit'"),
  my('guard', "execute immediate 'drop table canary'"),
  my('guard', 'set statement max_statement_time = 10 for commit'),
  my('guard', 'create table escaped_b (x int)'),
  my('guard', 'drop table canary'),
  my('guard', 'truncate canary'),
  my('guard', 'alter table canary add column escaped int'),
  my('guard', 'rename table canary to escaped_c'),
  my('guard', 'create procedure escaped_p() select 1'),
  my('guard', 'create database {run}_db'),
  my('guard', "create user '{run}_u'"),
  my('guard', "grant select on *.* to '{run}_g'@'%' identified by 'x'"),
  my('guard', "set password = password('escaped')"),
  my('guard', 'analyze table canary'),
  my('guard', 'flush tables'),
  // MariaDB: server-side effects.
  my('guard', "select * from canary into outfile '{file}'"),
  my('guard', "SELECT note FROM canary INTO OUTFILE '{file}' FIELDS TERMINATED BY ','"),
  my('guard', "select 1 into dumpfile '{file}'"),
  my('guard', "select load_file('/etc/hostname')"),
  my('guard', "load data infile '/etc/hostname' into table canary"),
  // MariaDB: writes the read-only transaction refuses.
  my('database', "insert into canary values (60, 'x')"),
  my('database', "update canary set note = 'changed'"),
  my('database', 'delete from canary'),
  my('database', "replace into canary values (1, 'replaced')"),
  my('database', "insert into canary select 61, 'x'"),
  my('database', 'select bump()'),
  my('database', 'select nextval(canary_seq)'),
];

/** The request body fields and the /tmp path for one case of this run. */
export function renderEscape(c: EscapeCase, run: string, index: number) {
  const file = `/tmp/atrium-escape-${run}-${index}`;
  const fill = (s: string) => s.replaceAll('{file}', file).replaceAll('{run}', run);
  const body = Array.isArray(c.sql)
    ? { statements: c.sql.map((sql) => ({ sql: fill(sql) })) }
    : { sql: fill(c.sql) };
  return { body, file };
}
