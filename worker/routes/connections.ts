import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { type Action, authorize } from '../auth/policy.ts';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from '../connections/crud.ts';
import type { Scope } from '../connections/scope.ts';
import { testSavedConnection, testUnsavedSettings } from '../connections/testing.ts';
import type { TestOutcome } from '../connections/types.ts';
import { TRANSPORT_NAMES } from '../engines/config.ts';
import type { AppEnv } from '../env.ts';
import { badRequest, zodDetails } from '../errors.ts';
import { refuseHostedConnectionDelete } from '../hosted-sqlite/service.ts';
import { ENGINE_NAMES, SSL_MODES } from '../meta/connections.ts';
import { createRouter, ErrorSchema, errorResponses, jsonContent } from '../openapi.ts';

// ---------------------------------------------------------------- schemas

const EngineSchema = z.enum(ENGINE_NAMES).openapi({ description: 'postgres, mysql or sqlite' });
const SslModeSchema = z.enum(SSL_MODES);
const settingsShape = {
  engine: EngineSchema,
  connectionString: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .openapi({ description: 'postgres://… or mysql://…; instead of the host fields', format: 'password' }),
  host: z.string().trim().min(1).max(255).optional().openapi({
    description:
      'Loopback, private, link-local and metadata addresses are refused (400 host_not_allowed) unless the deployment sets ALLOW_PRIVATE_HOSTS',
  }),
  port: z.number().int().min(1).max(65535).optional(),
  database: z.string().min(1).max(128).optional(),
  user: z.string().min(1).max(128).optional(),
  password: z.string().max(1024).optional().openapi({ format: 'password' }),
  sslMode: SslModeSchema.optional(),
  d1Binding: z.string().min(1).max(64).optional().openapi({
    description:
      'SQLite only: a D1 binding listed in USER_D1_BINDINGS (never DB or a built-in: 400 binding_not_allowed)',
  }),
  transport: z.enum(TRANSPORT_NAMES).optional().openapi({
    description:
      'How the connection reaches its server. PostgreSQL: `tcp` (default), `neon-http` (default for *.neon.tech) or `hyperdrive`; MySQL: `tcp` (default), `planetscale-http` (default for *.psdb.cloud) or `hyperdrive`; every host-addressed transport obeys the host policy. SQLite: `d1-binding` (d1Binding), `d1-http` (accountId, database = the D1 database id, password = an API token) or `libsql-http` (connectionString = the libsql:// URL, password = its auth token)',
  }),
  accountId: z
    .string()
    .regex(/^[\w-]{1,64}$/)
    .optional()
    .openapi({ description: 'SQLite over `d1-http` only: the Cloudflare account id' }),
  hyperdrive: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
    .optional()
    .openapi({
      description:
        'Transport `hyperdrive` only: a Hyperdrive binding listed in USER_HYPERDRIVE_BINDINGS (it supplies host and login; 400 binding_not_allowed otherwise)',
    }),
};
const fieldsShape = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour')
    .optional(),
  active: z.boolean().optional(),
  tags: z.array(z.string().trim().min(1).max(32)).max(20).optional(),
};
const ReadOnlyLoginSchema = z
  .strictObject({
    user: z.string().min(1).max(128),
    password: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .openapi({ format: 'password', description: 'Required unless the same user is already stored' }),
  })
  .openapi('ReadOnlyLogin', {
    description:
      'A second login on the same server for viewers and every read-only run (grant it only SELECT). Its password stays in the vault.',
  });
const timeoutShape = {
  timeoutMs: z.number().int().min(500).max(30_000).optional().openapi({ description: 'Default 10000' }),
};

const CreateBody = z
  .strictObject({ ...fieldsShape, ...settingsShape, readOnlyLogin: ReadOnlyLoginSchema.optional() })
  .openapi('ConnectionCreate');
const UpdateBody = z
  .strictObject({
    ...fieldsShape,
    name: fieldsShape.name.optional(),
    ...settingsShape,
    engine: EngineSchema.optional(),
    database: z.string().min(1).max(128).nullable().optional(),
    user: z.string().min(1).max(128).nullable().optional(),
    password: z
      .string()
      .max(1024)
      .nullable()
      .optional()
      .openapi({ description: 'null removes the password' }),
    sslMode: SslModeSchema.nullable().optional(),
    readOnlyLogin: ReadOnlyLoginSchema.nullable()
      .optional()
      .openapi({ description: 'null removes the read-only login' }),
  })
  .openapi('ConnectionUpdate');
const UnsavedTestBody = z
  .strictObject({ ...settingsShape, ...timeoutShape, readOnlyLogin: ReadOnlyLoginSchema.optional() })
  .openapi('ConnectionTestRequest');
const SavedTestBody = z.strictObject(timeoutShape);

const StatusSchema = z.object({
  state: z.enum(['untested', 'ok', 'error']),
  latencyMs: z.number().nullable(),
  serverVersion: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  testedAt: z.string().nullable(),
});

const LoginFindingSchema = z.object({
  user: z.string().nullable(),
  privileged: z.boolean(),
  reasons: z.array(z.string()).openapi({ example: ['superuser', 'pg_execute_server_program'] }),
});
const PrivilegedLoginSchema = LoginFindingSchema.extend({
  readOnlyLogin: LoginFindingSchema.nullable(),
  warning: z
    .string()
    .nullable()
    .openapi({ example: 'Viewers run as a superuser ("postgres": superuser). …' }),
})
  .nullable()
  .openapi('PrivilegedLogin', {
    description:
      "What the last test found the login (and the read-only login) may do on the server; null until tested. `warning` is set while viewers are not held by the database's own grants.",
  });

const CapabilitiesSchema = z
  .object({
    transactions: z.boolean(),
    transactionalDdl: z.boolean(),
    returning: z.boolean(),
    namespaces: z.enum(['schemas', 'databases', 'single']),
    addressing: z.enum(['network', 'binding']),
    materializedViews: z.boolean(),
    enums: z.boolean(),
    sequencesAndDomains: z.boolean(),
    explainFormats: z.array(z.enum(['text', 'json'])),
    cancel: z.boolean(),
    readOnlyMode: z.enum(['transaction', 'session', 'program']),
    streaming: z.boolean(),
    cursorStreaming: z.boolean(),
    logins: z.boolean(),
    identifierQuote: z.enum(['"', '`']),
  })
  .openapi('Capabilities', {
    description: "What the connection's engine can do; clients read these instead of the engine's name.",
  });

export const ConnectionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    color: z.string(),
    engine: EngineSchema,
    capabilities: CapabilitiesSchema,
    builtin: z.boolean().openapi({ description: 'Built-in D1 databases: read-only, cannot be edited' }),
    active: z.boolean(),
    tags: z.array(z.string()),
    usesConnectionString: z.boolean(),
    host: z.string().nullable(),
    port: z.number().nullable(),
    database: z.string().nullable(),
    user: z.string().nullable(),
    sslMode: SslModeSchema.nullable(),
    d1Binding: z.string().nullable(),
    transport: z.enum(TRANSPORT_NAMES).nullable().openapi({ description: 'How the server is reached' }),
    hyperdrive: z.string().nullable(),
    hasPassword: z.boolean(),
    hasReadOnlyLogin: z.boolean(),
    readOnlyUser: z.string().nullable(),
    privilegedLogin: PrivilegedLoginSchema,
    connectionStringRedacted: z
      .string()
      .nullable()
      .openapi({ example: 'postgres://app:****@db.internal:5432/app' }),
    status: StatusSchema,
    lastUsedAt: z.string().nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Connection');

const TestResultSchema = z
  .object({
    ok: z.boolean(),
    latencyMs: z.number().nullable(),
    serverVersion: z.string().nullable(),
    error: z
      .object({ code: z.string(), message: z.string(), requestId: z.string() })
      .optional()
      .openapi({ description: 'Why the test failed; the HTTP status says the same (400, 502, 504)' }),
    privilegedLogin: PrivilegedLoginSchema.optional(),
  })
  .openapi('ConnectionTestResult');

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'builtin:demo' }),
});

const nameTaken = jsonContent(ErrorSchema, 'Another connection in the organization has this name');

const testResponses = {
  200: jsonContent(TestResultSchema, 'The database answered'),
  400: jsonContent(TestResultSchema, 'The settings are invalid (invalid_config, unsupported)'),
  401: errorResponses[401],
  403: errorResponses[403],
  404: errorResponses[404],
  502: jsonContent(TestResultSchema, 'The database refused or failed (auth_failed, host_not_found, ...)'),
  504: jsonContent(TestResultSchema, 'The database did not answer in time (timeout)'),
} as const;

// ---------------------------------------------------------------- routes

const tags = ['connections'];
const security = [{ bearer: [] }];

const list = createRoute({
  method: 'get',
  path: '/api/connections',
  tags,
  security,
  summary: "The organization's connections, built-in databases first",
  responses: {
    200: jsonContent(z.object({ connections: z.array(ConnectionSchema) }), 'Connections; never a secret'),
    ...errorResponses,
  },
});

const create = createRoute({
  method: 'post',
  path: '/api/connections',
  tags,
  security,
  summary: 'Save a connection (admins and owners)',
  request: { body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
  responses: { 201: jsonContent(ConnectionSchema, 'Saved'), ...errorResponses, 409: nameTaken },
});

const read = createRoute({
  method: 'get',
  path: '/api/connections/{id}',
  tags,
  security,
  summary: 'One connection',
  request: { params: IdParams },
  responses: { 200: jsonContent(ConnectionSchema, 'The connection'), ...errorResponses },
});

const update = createRoute({
  method: 'patch',
  path: '/api/connections/{id}',
  tags,
  security,
  summary: 'Change a connection (admins and owners); changed settings reset its status',
  description:
    'Moving a connection that has a password to another engine, host, port or user needs the password again (400 password_required): a stored password is never sent to a different server.',
  request: {
    params: IdParams,
    body: { content: { 'application/json': { schema: UpdateBody } }, required: true },
  },
  responses: { 200: jsonContent(ConnectionSchema, 'Updated'), ...errorResponses, 409: nameTaken },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/connections/{id}',
  tags,
  security,
  summary: 'Delete a connection (admins and owners)',
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

const testSaved = createRoute({
  method: 'post',
  path: '/api/connections/{id}/test',
  tags,
  security,
  summary: 'Test a saved connection and store the result as its status',
  request: {
    params: IdParams,
    body: { content: { 'application/json': { schema: SavedTestBody } }, required: false },
  },
  responses: testResponses,
});

const testUnsaved = createRoute({
  method: 'post',
  path: '/api/connections/test',
  tags,
  security,
  summary: 'Test settings before saving them (admins and owners)',
  request: { body: { content: { 'application/json': { schema: UnsavedTestBody } }, required: true } },
  responses: testResponses,
});

function scopeOf(c: Context<AppEnv>, action: Action): Scope {
  const auth = authorize(c.get('auth'), action);
  return { auth, orgId: auth.orgId, userId: auth.userId };
}

/** An unknown engine gets its own code, so clients need not dig through zod issues. */
function settingsHook(result: { success: boolean; error?: ZodError }): undefined {
  if (result.success || !result.error) return;
  const engineIssue = result.error.issues.find((i) => i.path[0] === 'engine' && i.code === 'invalid_value');
  if (engineIssue) {
    throw badRequest('unsupported_engine', `Unsupported engine; use one of ${ENGINE_NAMES.join(', ')}`);
  }
  throw badRequest('invalid_request', 'The request does not match the schema', zodDetails(result.error));
}

function testResponse(c: Context<AppEnv>, outcome: TestOutcome) {
  const body = {
    ok: outcome.ok,
    latencyMs: outcome.latencyMs,
    serverVersion: outcome.serverVersion,
    ...(outcome.error ? { error: { ...outcome.error, requestId: c.get('requestId') } } : {}),
    ...(outcome.privilegedLogin !== undefined ? { privilegedLogin: outcome.privilegedLogin } : {}),
  };
  return c.json(body, outcome.status as 200 | 400 | 502 | 504);
}

/**
 * Connections to user databases, per organization. Viewers read (never a
 * secret); admins and owners write. Testing a saved connection is open to every
 * member (it reveals nothing but reachability); testing unsaved settings reaches
 * arbitrary hosts, so it needs `connection.write`.
 */
export const connections = createRouter()
  .openapi(list, async (c) => {
    const scope = scopeOf(c, 'connection.read');
    return c.json({ connections: await listConnections(c, scope) }, 200);
  })
  .openapi(
    create,
    async (c) => {
      const scope = scopeOf(c, 'connection.write');
      return c.json(await createConnection(c, scope, c.req.valid('json')), 201);
    },
    settingsHook,
  )
  .openapi(
    testUnsaved,
    async (c) => {
      const scope = scopeOf(c, 'connection.write');
      const { timeoutMs, ...settings } = c.req.valid('json');
      return testResponse(c, await testUnsavedSettings(c, scope, settings, { timeoutMs }));
    },
    settingsHook,
  )
  .openapi(read, async (c) => {
    const scope = scopeOf(c, 'connection.read');
    return c.json(await getConnection(c, scope, c.req.valid('param').id), 200);
  })
  .openapi(
    update,
    async (c) => {
      const scope = scopeOf(c, 'connection.write');
      return c.json(await updateConnection(c, scope, c.req.valid('param').id, c.req.valid('json')), 200);
    },
    settingsHook,
  )
  .openapi(remove, async (c) => {
    const scope = scopeOf(c, 'connection.write');
    await refuseHostedConnectionDelete(c.env, scope.orgId, c.req.valid('param').id);
    await deleteConnection(c, scope, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(testSaved, async (c) => {
    const scope = scopeOf(c, 'connection.read');
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    return testResponse(c, await testSavedConnection(c, scope, c.req.valid('param').id, body));
  });
