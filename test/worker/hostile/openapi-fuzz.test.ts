/**
 * Hostile input across the whole API, generated from /api/openapi.json: wrong
 * types, missing and extra fields, huge strings, deep JSON, invalid UTF-8, path
 * traversal and hostile identifiers in path parameters. For every request: no
 * 5xx, every error in the envelope, and a rejected request wrote nothing.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createUser, type TestUser } from '../../support/auth.ts';

interface Operation {
  method: string;
  path: string;
  hasBody: boolean;
  properties: Record<string, unknown>;
  required: string[];
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
}
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
}

const hostileSegment = fc.oneof(
  fc.constantFrom(
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f',
    "'; drop table user; --",
    '`x`',
    '"quoted"',
    '%00',
    'ＡＴＲＩＵＭ',
    '🙂',
    'a'.repeat(5000),
    '-1',
    '1e309',
    'builtin:..',
    '%E0%A4%A',
  ),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
);

const deepJson = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: [v] };
  return v;
};

/** A body that is wrong in one of the ways a hostile or broken client would be. */
const hostileBody = (op: Operation) =>
  fc.oneof(
    fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constant('{"unterminated": '),
    fc.constant(JSON.stringify(deepJson(2000))),
    fc.constant(JSON.stringify({ name: 'x'.repeat(200_000) })),
    // Each declared field with a value of the wrong type, plus an unknown field.
    fc
      .record(
        Object.fromEntries(
          Object.keys(op.properties).map((k) => [
            k,
            fc.oneof(fc.integer(), fc.constant(null), fc.object(), fc.boolean()),
          ]),
        ),
      )
      .map((o) => JSON.stringify({ ...o, __proto__x: 1, unexpectedField: 'y' })),
    // Required fields missing.
    fc.constant(JSON.stringify({})),
  );

const INVALID_UTF8 = new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]);

/** Tables whose rows legitimately change on refused requests (security events, session touch, limiter). */
const EXEMPT_TABLES = new Set(['audit_log', 'session', 'rate_limit', 'd1_migrations', '_cf_KV']);

async function rowCounts(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'",
  ).all<{ name: string }>();
  const tables = results.map((r) => r.name).filter((n) => !EXEMPT_TABLES.has(n));
  const counts = await env.DB.batch(tables.map((t) => env.DB.prepare(`select count(*) as n from "${t}"`)));
  return Object.fromEntries(
    tables.map((t, i) => [t, (counts[i]?.results[0] as { n: number } | undefined)?.n ?? -1]),
  );
}

let doc: OpenApiDoc;
let owner: TestUser;
let operations: Operation[];
let tried = 0;

beforeAll(async () => {
  owner = await createUser();
  doc = await (await api('/api/openapi.json')).json<OpenApiDoc>();
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const schema = op.requestBody?.content?.['application/json']?.schema ?? {};
      return {
        method: method.toUpperCase(),
        path,
        hasBody: Boolean(op.requestBody),
        properties: schema.properties ?? {},
        required: schema.required ?? [],
      };
    }),
  );
});

async function check(res: Response, before: Record<string, number>, what: string) {
  tried++;
  expect(res.status, `${what} → ${res.status}`).toBeLessThan(500);
  if (res.status >= 400) {
    const body = await res.json<{ error?: { code?: string; message?: string; requestId?: string } }>();
    expect(body.error?.code, what).toBeTypeOf('string');
    expect(body.error?.requestId, what).toBeTypeOf('string');
    expect(await rowCounts(), `${what} wrote to D1`).toEqual(before);
  } else {
    await res.body?.cancel();
  }
}

describe('hostile input from the OpenAPI document', () => {
  it('covers the documented API', () => {
    expect(operations.length).toBeGreaterThan(20);
  });

  it('refuses hostile path parameters, bodies and encodings without 5xx or writes', async () => {
    for (const op of operations) {
      if (op.path === '/api/auth/sign-out') continue; // would end the fixture's session
      const params = op.path.match(/\{[^}]+\}/g) ?? [];
      await fc.assert(
        fc.asyncProperty(
          fc.array(hostileSegment, { minLength: params.length, maxLength: params.length }),
          hostileBody(op),
          async (segments, body) => {
            let url = op.path;
            params.forEach((p, i) => {
              url = url.replace(p, segments[i] as string);
            });
            const before = await rowCounts();
            const init: RequestInit = { method: op.method, headers: { ...owner.cookieHeaders } };
            if (op.hasBody || op.method === 'POST' || op.method === 'PATCH') {
              init.body = body;
              (init.headers as Record<string, string>)['content-type'] = 'application/json';
            }
            const res = await api(`${url}?limit=-5&cursor=%FF%FE&q=${'%27'.repeat(50)}`, init);
            // A hostile body can still be valid by chance (e.g. {} on a route with no required fields);
            // only rejected requests must leave no trace.
            await check(res, before, `${op.method} ${url}`);
          },
        ),
        { numRuns: 6, seed: 42 },
      );
      if (op.hasBody) {
        const before = await rowCounts();
        const res = await api(op.path.replace(/\{[^}]+\}/g, 'x'), {
          method: op.method,
          headers: { ...owner.cookieHeaders, 'content-type': 'application/json' },
          body: INVALID_UTF8,
        });
        await check(res, before, `${op.method} ${op.path} with invalid UTF-8`);
        const wrongType = await api(op.path.replace(/\{[^}]+\}/g, 'x'), {
          method: op.method,
          headers: { ...owner.cookieHeaders, 'content-type': 'text/plain' },
          body: 'not json',
        });
        await check(wrongType, before, `${op.method} ${op.path} as text/plain`);
      }
    }
    console.log(JSON.stringify({ hostileRequestsTried: tried, operations: operations.length }));
    expect(tried).toBeGreaterThan(operations.length * 6);
  }, 600_000);
});
