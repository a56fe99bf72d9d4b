import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createPrincipals,
  createUser,
  expectStatus,
  jsonInit,
  PRINCIPALS,
  type PrincipalSet,
  type TestUser,
} from '../../support/auth.ts';

interface DocumentBody {
  id: string;
  title: string;
  connectionId: string | null;
  ownerId: string | null;
  createdAt: string;
  updatedAt: string;
  content?: { sql: string; blocks: unknown[] };
}

let p: PrincipalSet;
let owner: TestUser;

beforeAll(async () => {
  p = await createPrincipals();
  owner = p.org.owner;
}, 60_000);

async function create(headers: Record<string, string>, body: Record<string, unknown>): Promise<DocumentBody> {
  const res = await api('/api/documents', jsonInit('POST', body, headers));
  expect(res.status).toBe(201);
  return res.json<DocumentBody>();
}

describe('documents REST', () => {
  it('creates, reads with content, renames, moves and deletes a document', async () => {
    const created = await create(owner.cookieHeaders, {
      title: 'Revenue',
      sql: 'select sum(total) from invoices;',
    });
    expect(created).toMatchObject({ title: 'Revenue', connectionId: null, ownerId: owner.userId });

    const got = await api(`/api/documents/${created.id}`, { headers: owner.bearerHeaders });
    expect(got.status).toBe(200);
    expect((await got.json<DocumentBody>()).content).toEqual({
      sql: 'select sum(total) from invoices;',
      blocks: [],
    });

    const renamed = await api(
      `/api/documents/${created.id}`,
      jsonInit('PATCH', { title: 'Revenue Q3' }, owner.cookieHeaders),
    );
    expect(renamed.status).toBe(200);
    expect((await renamed.json<DocumentBody>()).title).toBe('Revenue Q3');

    const moved = await api(
      `/api/documents/${created.id}`,
      jsonInit('PATCH', { connectionId: 'builtin:demo' }, owner.cookieHeaders),
    );
    expect(moved.status).toBe(200);
    const movedBody = await moved.json<DocumentBody>();
    expect(movedBody.connectionId).toBe('builtin:demo');
    expect(Date.parse(movedBody.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));

    const unlinked = await api(
      `/api/documents/${created.id}`,
      jsonInit('PATCH', { connectionId: null }, owner.cookieHeaders),
    );
    expect((await unlinked.json<DocumentBody>()).connectionId).toBeNull();

    const deleted = await api(`/api/documents/${created.id}`, {
      method: 'DELETE',
      headers: owner.cookieHeaders,
    });
    expect(deleted.status).toBe(204);
    expect((await api(`/api/documents/${created.id}`, { headers: owner.cookieHeaders })).status).toBe(404);
    expect(
      (await api(`/api/documents/${created.id}`, { method: 'DELETE', headers: owner.cookieHeaders })).status,
    ).toBe(404);
  }, 30_000);

  it('refuses connections that are not the organization’s and invalid bodies', async () => {
    const outsider = await createUser();
    const theirs = await api(
      '/api/connections',
      jsonInit(
        'POST',
        { name: 'theirs', engine: 'postgres', host: 'db.internal', port: 5432, database: 'app', user: 'app' },
        outsider.cookieHeaders,
      ),
    );
    expect(theirs.status, await theirs.clone().text()).toBe(201);
    const { id: theirId } = await theirs.json<{ id: string }>();
    const doc = await create(owner.cookieHeaders, { title: 'Linked' });
    const res = await api(
      `/api/documents/${doc.id}`,
      jsonInit('PATCH', { connectionId: theirId }, owner.cookieHeaders),
    );
    expect(res.status).toBe(404);
    const bogus = await api(
      '/api/documents',
      jsonInit('POST', { title: 'x', connectionId: 'nope' }, owner.cookieHeaders),
    );
    expect(bogus.status).toBe(404);
    expect((await api('/api/documents', jsonInit('POST', { title: '  ' }, owner.cookieHeaders))).status).toBe(
      400,
    );
    expect((await api(`/api/documents/${doc.id}`, jsonInit('PATCH', {}, owner.cookieHeaders))).status).toBe(
      400,
    );
    expect((await api('/api/documents?cursor=garbage', { headers: owner.cookieHeaders })).status).toBe(400);
  }, 30_000);

  it('reports the room’s own counts: the initial text is one stored update, no sockets yet', async () => {
    const stats = async (id: string) => {
      const res = await api(`/api/documents/${id}/stats`, { headers: owner.bearerHeaders });
      expect(res.status).toBe(200);
      return res.json<{ updatesStored: number; sockets: number }>();
    };
    const seeded = await create(owner.cookieHeaders, { title: 'Seeded', sql: 'select 1;' });
    const empty = await create(owner.cookieHeaders, { title: 'Empty' });
    expect(await stats(seeded.id)).toEqual({ updatesStored: 1, sockets: 0 });
    expect(await stats(empty.id)).toEqual({ updatesStored: 0, sockets: 0 });
  }, 30_000);

  it('pages with a cursor (no overlap, nothing missed) and searches titles', async () => {
    const user = await createUser();
    const titles = ['Alpha report', 'beta REPORT', 'Gamma', 'Delta report', 'Epsilon', '100%_done'];
    for (const title of titles) await create(user.cookieHeaders, { title });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const res = await api(`/api/documents${query}`, { headers: user.cookieHeaders });
      expect(res.status).toBe(200);
      const page = await res.json<{ documents: DocumentBody[]; nextCursor: string | null }>();
      expect(page.documents.length).toBeLessThanOrEqual(2);
      seen.push(...page.documents.map((d) => d.title));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual([...titles].sort());

    const search = async (q: string) => {
      const res = await api(`/api/documents?q=${encodeURIComponent(q)}`, { headers: user.cookieHeaders });
      return (await res.json<{ documents: DocumentBody[] }>()).documents.map((d) => d.title).sort();
    };
    expect(await search('report')).toEqual(['Alpha report', 'Delta report', 'beta REPORT']);
    expect(await search('%')).toEqual(['100%_done']);
    expect(await search('_d')).toEqual(['100%_done']);
  }, 30_000);
});

describe('documents policy', () => {
  it('lets viewers read and editors write, per the policy matrix', async () => {
    const doc = await create(owner.cookieHeaders, { title: 'Matrix' });
    for (const name of PRINCIPALS) {
      const { headers } = p[name];
      const list = await api('/api/documents', { headers });
      expect(list.status, `list ${name}`).toBe(
        expectStatus({ minRole: 'viewer', ok: 200, otherOrg: 200 })[name],
      );
      const get = await api(`/api/documents/${doc.id}`, { headers });
      expect(get.status, `get ${name}`).toBe(
        expectStatus({ minRole: 'viewer', ok: 200, otherOrg: 404 })[name],
      );
      const stats = await api(`/api/documents/${doc.id}/stats`, { headers });
      expect(stats.status, `stats ${name}`).toBe(
        expectStatus({ minRole: 'viewer', ok: 200, otherOrg: 404 })[name],
      );
      const post = await api('/api/documents', jsonInit('POST', { title: `by ${name}` }, headers));
      expect(post.status, `create ${name}`).toBe(
        expectStatus({ minRole: 'editor', ok: 201, otherOrg: 201 })[name],
      );
      const patch = await api(
        `/api/documents/${doc.id}`,
        jsonInit('PATCH', { title: `Matrix ${name}` }, headers),
      );
      expect(patch.status, `patch ${name}`).toBe(
        expectStatus({ minRole: 'editor', ok: 200, otherOrg: 404 })[name],
      );
    }
    const scratch = await create(owner.cookieHeaders, { title: 'Scratch' });
    for (const name of PRINCIPALS.filter((n) => n !== 'editor' && n !== 'admin' && n !== 'owner')) {
      const del = await api(`/api/documents/${scratch.id}`, { method: 'DELETE', headers: p[name].headers });
      expect(del.status, `delete ${name}`).toBe(
        expectStatus({ minRole: 'editor', ok: 204, otherOrg: 404 })[name],
      );
    }
    const del = await api(`/api/documents/${scratch.id}`, { method: 'DELETE', headers: p.editor.headers });
    expect(del.status).toBe(204);
  }, 60_000);

  it('keeps organizations apart: another org never lists, reads or changes a document', async () => {
    const doc = await create(owner.cookieHeaders, { title: 'Secret plan' });
    const outsider = p['other-org'].headers;
    const list = await api('/api/documents?q=Secret', { headers: outsider });
    expect((await list.json<{ documents: DocumentBody[] }>()).documents).toEqual([]);
    expect((await api(`/api/documents/${doc.id}`, { headers: outsider })).status).toBe(404);
    expect((await api(`/api/documents/${doc.id}/stats`, { headers: outsider })).status).toBe(404);
    expect((await api(`/api/documents/${doc.id}`, jsonInit('PATCH', { title: 'x' }, outsider))).status).toBe(
      404,
    );
    expect((await api(`/api/documents/${doc.id}`, { method: 'DELETE', headers: outsider })).status).toBe(404);
    const still = await api(`/api/documents/${doc.id}`, { headers: owner.cookieHeaders });
    expect((await still.json<DocumentBody>()).title).toBe('Secret plan');
  }, 30_000);

  it('is described in the OpenAPI document', async () => {
    const doc = await (await api('/api/openapi.json')).json<{ paths: Record<string, unknown> }>();
    expect(doc.paths['/api/documents']).toBeDefined();
    expect(doc.paths['/api/documents/{documentId}']).toBeDefined();
    expect(doc.paths['/api/documents/{documentId}/stats']).toBeDefined();
  });
});
