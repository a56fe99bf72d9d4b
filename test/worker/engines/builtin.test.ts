import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { builtinConnections } from '../../../worker/engines/create-engine.ts';
import { sqlBuilder } from '../../../worker/engines/sql-builder.ts';

it('lists the D1 demo as a built-in SQLite connection, not the metadata database', () => {
  expect(builtinConnections(env)).toEqual([{ binding: 'DEMO_DB', name: 'Chinook demo', engine: 'sqlite' }]);
});

it('compiles quoted, parameterized SQL per dialect without connecting', () => {
  const build = (engine: 'postgres' | 'mysql' | 'sqlite') =>
    sqlBuilder(engine).selectFrom('odd "table"').select(['zip code']).where('id', '=', 7).limit(10).compile();
  expect(build('postgres').sql).toBe('select "zip code" from "odd ""table""" where "id" = $1 limit $2');
  expect(build('mysql').sql).toBe('select `zip code` from `odd "table"` where `id` = ? limit ?');
  expect(build('sqlite').parameters).toEqual([7, 10]);
});
