/**
 * fast-check arbitraries for hostile HTTP requests, derived from /api/openapi.json: every
 * operation gets wrong, truncated, oversized and mistyped bodies, hostile path parameters
 * and query strings, wrong content types, and every kind of caller.
 */
import fc from 'fast-check';

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
}

export interface Operation {
  method: string;
  path: string;
  key: string;
  params: string[];
  /** The JSON body's declared fields, when the operation takes a JSON body. */
  jsonBody: Schema | null;
  /** The operation takes a raw body (CSV import). */
  rawBody: boolean;
}

interface OpenApiOperation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      key: `${method.toUpperCase()} ${path}`,
      params: (path.match(/\{[^}]+\}/g) ?? []).map((p) => p.slice(1, -1)),
      jsonBody: op.requestBody?.content?.['application/json']?.schema ?? null,
      rawBody: path.endsWith('/import'),
    })),
  );
}

/** Who sends the request: every kind of caller the API must tell apart. */
export const CALLERS = [
  'anonymous',
  'viewer',
  'editor',
  'admin',
  'owner',
  'other-org',
  'viewer-token',
  'editor-token',
  'revoked-token',
  'expired-token',
  'forged-cookie',
  'garbage-bearer',
  'cross-site-cookie',
] as const;
export type Caller = (typeof CALLERS)[number];

/** Strings that have broken parsers, routers, SQL builders and loggers before. */
export const HOSTILE_STRINGS = [
  "'; drop table user; --",
  '" or 1=1 --',
  '`x`',
  '\\',
  '\u0000',
  '\u202e\u0000\ud800',
  'ＡＴＲＩＵＭ',
  '🙂'.repeat(300),
  'a'.repeat(5000),
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  'builtin:..',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  // A log4j-style lookup, spelled so no linter takes it for a template.
  ['$', '{jndi:ldap://127.0.0.1/x}'].join(''),
  '{{7*7}}',
  '%s%s%s%n',
  'select pg_sleep(10)',
  '',
  ' ',
] as const;

/** Lone surrogates cannot be percent-encoded; they go as U+FFFD, as a browser would send them. */
export const pct = (s: string) =>
  encodeURIComponent(
    s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );

const hostileSegment = fc.oneof(
  fc.constantFrom(
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f',
    '%00',
    '%C0%AF',
    '%E0%A4%A',
    '%FF%FE',
    '%252F',
    'builtin:..',
    'builtin%3Ademo%00',
    '-1',
    '1e309',
    'a'.repeat(5000),
    '%20',
    '%0d%0aSet-Cookie:%20x=1',
  ),
  fc.constantFrom(...HOSTILE_STRINGS).map(pct),
  fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }).map(pct),
);

const hostileQuery = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?limit=-5',
    '?limit=1e309&cursor=%FF%FE',
    `?q=${'%27'.repeat(50)}`,
    // Longest searches the schemas allow (D1 refuses LIKE patterns over 50 bytes).
    `?q=${'%25_'.repeat(64)}`,
    `?q=${'x'.repeat(200)}`,
    '?schema=..&table=%00',
    '?format=exe',
    `?ticket=${'x'.repeat(200)}`,
    '?windowMinutes=NaN',
    `?filters=${encodeURIComponent('[{"column":"x","op":"drop"}]')}`,
    `?filters=${encodeURIComponent('{"a":[[[[[[[[[[1]]]]]]]]]]}')}`,
    '?sql=select%201',
    '?params=%5B1%5D',
    '?mine=maybe&action=*',
    '?cursor=eyJ4IjoxfQ',
    '?schema=public&table=film&format=ndjson&escapeFormulas=maybe',
    '?limit=100&limit=200&limit=x',
    `?${'a=1&'.repeat(2000)}`,
  ),
  fc
    .array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40, unit: 'binary' })), {
      maxLength: 4,
    })
    .map((pairs) => `?${pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')}`),
);

const deepJson = (depth: number): string => `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
const DEEP = deepJson(3000);
/** Just over the 1 MB body limit. */
const OVERSIZED = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 16) });
const INVALID_UTF8 = new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]);

const wrongTyped = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
  fc.object({ maxDepth: 2 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** The declared fields, each with a hostile string (may be valid by chance: the route must cope). */
function hostileFields(schema: Schema) {
  const keys = Object.keys(schema.properties ?? {});
  return fc.record(Object.fromEntries(keys.map((k) => [k, fc.constantFrom(...HOSTILE_STRINGS)])));
}

/** The declared fields with values of the wrong type, plus unknown and prototype-polluting keys. */
function mistypedFields(schema: Schema) {
  const keys = Object.keys(schema.properties ?? {});
  return fc
    .record(Object.fromEntries(keys.map((k) => [k, wrongTyped])))
    .map((o) => ({ ...o, unexpectedField: 'y', constructor: { prototype: { admin: true } } }));
}

export type Body = string | Uint8Array<ArrayBuffer> | undefined;

export function bodyArb(op: Operation): fc.Arbitrary<Body> {
  if (op.method === 'GET') return fc.constant(undefined);
  const schema = op.jsonBody ?? {};
  const json = <T>(a: fc.Arbitrary<T>) => a.map((v) => JSON.stringify(v) ?? 'null');
  return fc.oneof(
    { weight: 30, arbitrary: json(mistypedFields(schema)) },
    { weight: 30, arbitrary: json(hostileFields(schema)) },
    { weight: 20, arbitrary: json(fc.anything({ maxDepth: 3 })) },
    {
      weight: 20,
      arbitrary: fc
        .tuple(json(hostileFields(schema)), fc.nat())
        .map(([s, n]) => s.slice(0, n % Math.max(1, s.length))),
    },
    {
      weight: 10,
      arbitrary: fc.constantFrom('{"unterminated": ', '{}', '[]', 'null', '"x"', '', '\uFEFF{}'),
    },
    { weight: 10, arbitrary: fc.constant(DEEP) },
    { weight: 10, arbitrary: fc.constant(INVALID_UTF8) },
    { weight: 10, arbitrary: fc.constant(undefined) },
    // Rare: each one moves a megabyte through the app.
    { weight: 1, arbitrary: fc.constant(OVERSIZED) },
    ...(op.rawBody
      ? [
          {
            weight: 30,
            arbitrary: fc
              .array(fc.string({ maxLength: 30, unit: 'binary' }), { maxLength: 6 })
              .map((lines) => `v,"unterminated\n${lines.join('\n')}`),
          },
        ]
      : []),
  );
}

const contentTypes = fc.oneof(
  { weight: 80, arbitrary: fc.constant('application/json') },
  {
    weight: 20,
    arbitrary: fc.constantFrom(
      'text/plain',
      'text/csv',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/xml',
      '',
      undefined,
    ),
  },
);

export interface HostileRequest {
  caller: Caller;
  /** Callers that hold several tokens spread over them (the per-token rate limit). */
  slot: number;
  /** Per path parameter: a real id (index into the fixture's list) or a hostile segment. */
  segments: ({ real: number } | { hostile: string })[];
  query: string;
  body: Body;
  contentType: string | undefined;
}

export function requestArb(op: Operation): fc.Arbitrary<HostileRequest> {
  return fc.record({
    caller: fc.constantFrom(...CALLERS),
    slot: fc.nat(7),
    segments: fc.tuple(
      ...op.params.map(() =>
        fc.oneof(
          fc.nat(3).map((real) => ({ real })),
          hostileSegment.map((hostile) => ({ hostile })),
        ),
      ),
    ),
    query: hostileQuery,
    body: bodyArb(op),
    contentType: contentTypes,
  });
}
