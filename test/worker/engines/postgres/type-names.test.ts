/**
 * PostgreSQL result columns of user types (enums, domains, arrays of them) carry the catalog's
 * type name, not `oid:N`, through every path that reports columns: query, script and stream.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../../worker/engines/create-engine.ts';
import { pagila, scratch, uniqueTable } from '../fixtures.ts';

describe('postgres user type names', () => {
  it('names enums, arrays of enums and domains, and parses those arrays like built-in ones', async () => {
    const engine = createEngine(scratch.postgres, env);
    const mood = uniqueTable('mood');
    const positive = uniqueTable('positive');
    const t = uniqueTable('typed');
    await engine.script([
      { sql: `create type ${mood} as enum ('sad', 'ok', 'happy')` },
      { sql: `create domain ${positive} as int4 check (value > 0)` },
      { sql: `create table ${t} (m ${mood}, ms ${mood}[], p ${positive}, ps ${positive}[], n int4)` },
      { sql: `insert into ${t} values ('happy', '{sad,ok}', 7, '{1,2}', 3)` },
    ]);
    try {
      const r = await engine.query(`select m, ms, p, ps, n from ${t}`);
      expect(r.columns.map((c) => c.type)).toEqual([
        mood,
        `${mood}[]`,
        // RowDescription reports a domain column as its base type; arrays of a domain have their own.
        'int4',
        `${positive}[]`,
        'int4',
      ]);
      expect(r.rows[0]).toEqual(['happy', ['sad', 'ok'], 7, [1, 2], 3]);

      // A script resolves its statements' types the same way (the names are cached by now, which
      // must give the same answer).
      const [s] = await engine.script([{ sql: `select ms, ps from ${t}` }]);
      expect(s?.columns.map((c) => c.type)).toEqual([`${mood}[]`, `${positive}[]`]);
      expect(s?.rows[0]).toEqual([
        ['sad', 'ok'],
        [1, 2],
      ]);

      const batches = [];
      for await (const batch of engine.stream(`select m, ms from ${t}`)) batches.push(batch);
      expect(batches[0]?.columns.map((c) => c.type)).toEqual([mood, `${mood}[]`]);
      expect(batches[0]?.rows[0]).toEqual(['happy', ['sad', 'ok']]);
    } finally {
      await engine.script([
        { sql: `drop table ${t}` },
        { sql: `drop domain ${positive}` },
        { sql: `drop type ${mood}` },
      ]);
      await engine.close();
    }
  });

  it("reports Pagila's film.rating as mpaa_rating", async () => {
    const engine = createEngine(pagila, env);
    const r = await engine.query('select title, rating, release_year from film where film_id = $1', {
      params: [1],
    });
    expect(r.columns).toEqual([
      { name: 'title', type: 'text' },
      { name: 'rating', type: 'mpaa_rating' },
      { name: 'release_year', type: 'int4' }, // the `year` domain, reported as its base type
    ]);
    expect(r.rows[0]?.[1]).toBe('PG');
  });
});
