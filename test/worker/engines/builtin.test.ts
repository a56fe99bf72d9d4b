import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { BUILTIN_D1 } from '../../../worker/connections/builtins.ts';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import { EngineError } from '../../../worker/engines/engine.ts';
import { sqlBuilder } from '../../../worker/engines/sql-builder.ts';

it('offers the D1 demo as the one built-in connection, never the metadata database', () => {
  expect(BUILTIN_D1.map((b) => [b.id, b.binding])).toEqual([['builtin:demo', 'DEMO_DB']]);
  expect(() => createEngine({ engine: 'sqlite', binding: 'DB' }, env)).toThrow(EngineError);
});

it('compiles quoted, parameterized SQL per dialect without connecting', () => {
  const build = (engine: 'postgres' | 'mysql' | 'sqlite') =>
    sqlBuilder(engine).selectFrom('odd "table"').select(['zip code']).where('id', '=', 7).limit(10).compile();
  expect(build('postgres').sql).toBe('select "zip code" from "odd ""table""" where "id" = $1 limit $2');
  expect(build('mysql').sql).toBe('select `zip code` from `odd "table"` where `id` = ? limit ?');
  expect(build('sqlite').parameters).toEqual([7, 10]);
});
