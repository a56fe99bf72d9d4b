/**
 * Searches as long as the schemas allow. D1 refuses LIKE patterns over 50 bytes ("LIKE or
 * GLOB pattern too complex"), which once turned a 50-character schema search into a 503;
 * the searches now use instr(), whose needle has no such limit.
 */
import { beforeAll, expect, it } from 'vitest';
import { api, createUser, jsonInit, type TestUser } from '../../support/auth.ts';

let owner: TestUser;
const demoSearch = (q: string) =>
  api(`/api/connections/builtin%3Ademo/schema/search?q=${encodeURIComponent(q)}`, {
    headers: owner.cookieHeaders,
  });

beforeAll(async () => {
  owner = await createUser();
  const sync = await api('/api/connections/builtin%3Ademo/sync', {
    method: 'POST',
    headers: owner.cookieHeaders,
  });
  expect(sync.status).toBe(200);
});

it('answers a schema search of the longest allowed needle, wildcards included', async () => {
  for (const q of ["'".repeat(50), '%_\\'.repeat(42), 'x'.repeat(128)]) {
    const res = await demoSearch(q);
    expect(res.status, q).toBe(200);
    expect((await res.json<{ items: unknown[] }>()).items).toEqual([]);
  }
});

it('still matches case-insensitively, exact name first, and takes % and _ literally', async () => {
  const res = await demoSearch('ALBUM');
  const { items } = await res.json<{
    items: { type: string; table: string | null; column: string | null }[];
  }>();
  expect(items[0]).toMatchObject({ type: 'table', table: 'Album' });
  expect(items.some((i) => i.column === 'AlbumId')).toBe(true);
  const wild = await (await demoSearch('%')).json<{ items: unknown[] }>();
  expect(wild.items).toEqual([]);
});

it('answers a document title search of the longest allowed needle', async () => {
  const created = await api(
    '/api/documents',
    jsonInit('POST', { title: `Report ${'y'.repeat(60)}` }, owner.cookieHeaders),
  );
  expect(created.status).toBe(201);
  const long = await api(`/api/documents?q=${'x'.repeat(200)}`, { headers: owner.cookieHeaders });
  expect(long.status).toBe(200);
  expect((await long.json<{ documents: unknown[] }>()).documents).toEqual([]);
  const hit = await api(`/api/documents?q=REPORT%20${'Y'.repeat(60)}`, { headers: owner.cookieHeaders });
  expect((await hit.json<{ documents: { title: string }[] }>()).documents.map((d) => d.title)).toEqual([
    `Report ${'y'.repeat(60)}`,
  ]);
});
