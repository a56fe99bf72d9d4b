/**
 * Bad input and bad servers answer with the right EngineError code, within the timeout:
 * never a hang, never an empty result. Each case goes through the real driver and endpoint.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createEngine, type EngineConfig } from '../../../worker/engines/create-engine.ts';
import { EngineError, type EngineErrorCode } from '../../../worker/engines/engine.ts';
import { PASSWORD_LOGIN } from '../../support/password-logins.ts';
import { pagila, sakila, silentAddress } from './fixtures.ts';

async function codeOf(
  config: EngineConfig,
  timeoutMs = 3000,
): Promise<{ code: EngineErrorCode; message: string }> {
  try {
    const engine = createEngine(config, env);
    await engine.test({ timeoutMs });
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return { code: (err as EngineError).code, message: (err as EngineError).message };
  }
  throw new Error('expected the connection to fail');
}

const planted = 'Planted-Secret-7f3a';

describe.each([
  { name: 'postgres', base: pagila, unknownHost: 'host_not_found' },
  { name: 'mysql', base: sakila, unknownHost: 'host_not_found' },
  // A public-looking name gets TLS by default, and pg's TLS socket is cloudflare:sockets, whose one
  // error for a refused port and an unknown name ("cannot connect to the specified address")
  // cannot tell them apart (plaintext goes through node:net, which can: test-connection.test.ts).
  {
    name: 'postgres over tcp',
    base: { ...pagila, transport: 'tcp' } satisfies EngineConfig,
    unknownHost: 'connection_refused',
  },
  {
    name: 'mysql over tcp',
    base: { ...sakila, transport: 'tcp' } satisfies EngineConfig,
    unknownHost: 'host_not_found',
  },
])('$name: bad configurations', ({ base, unknownHost }) => {
  it(`unknown host → ${unknownHost}`, async () => {
    expect((await codeOf({ ...base, host: 'no-such-host.invalid' })).code).toBe(unknownHost);
  });

  it('closed port → connection_refused', async () => {
    expect((await codeOf({ ...base, port: 1 })).code).toBe('connection_refused');
  });

  it('malformed connection string → invalid_config, without echoing it', async () => {
    const connectionString = `${base.engine}://user:${planted}@host:notaport/db`;
    const { code, message } = await codeOf({ engine: base.engine, connectionString });
    expect(code).toBe('invalid_config');
    expect(message).not.toContain(planted);
  });

  it('TLS required by the client, not offered by the server → tls_error', async () => {
    expect((await codeOf({ ...base, sslMode: 'require' })).code).toBe('tls_error');
  });

  it('a server that accepts and never answers → timeout', async () => {
    const { host, port } = silentAddress();
    expect((await codeOf({ ...base, host, port }, 1000)).code).toBe('timeout');
  });
});

describe('credentials', () => {
  it('mysql: wrong password → auth_failed, password not in the message', async () => {
    const { code, message } = await codeOf({ ...sakila, password: planted });
    expect(code).toBe('auth_failed');
    expect(message).not.toContain(planted);
  });

  it('postgres: a role the server refuses → auth_failed, password not in the message', async () => {
    const { code, message } = await codeOf({ ...pagila, user: 'no_such_role', password: planted });
    expect(code).toBe('auth_failed');
    expect(message).not.toContain(planted);
  });

  // atrium_pw authenticates with SCRAM-SHA-256 (test/support/password-logins.ts), so a wrong
  // password is refused by the server itself (28P01) on every transport.
  it.each([
    ['neon-http', pagila],
    ['tcp', { ...pagila, transport: 'tcp' } satisfies EngineConfig],
  ])(
    'postgres over %s: wrong SCRAM password → auth_failed (28P01), password not in the message',
    async (_, base) => {
      const wrong = await codeOf({ ...base, user: PASSWORD_LOGIN.user, password: planted });
      expect(wrong.code).toBe('auth_failed');
      expect(wrong.message).not.toContain(planted);
      // The right one opens: the refusal was the password, not the role.
      const engine = createEngine({ ...base, ...PASSWORD_LOGIN }, env);
      expect((await engine.test()).serverVersion).toMatch(/^PostgreSQL/);
      await engine.close();
    },
  );

  it('mysql over tcp: wrong password → auth_failed (1045)', async () => {
    const base = { ...sakila, transport: 'tcp', user: PASSWORD_LOGIN.user } satisfies EngineConfig;
    const { code, message } = await codeOf({ ...base, password: planted });
    expect(code).toBe('auth_failed');
    expect(message).not.toContain(planted);
  });
});

describe('engine selection', () => {
  it('unsupported engine → unsupported', () => {
    expect(() => createEngine({ engine: 'oracle' } as unknown as EngineConfig, env)).toThrowError(
      expect.objectContaining({ code: 'unsupported' }),
    );
  });

  it('sqlite without a known D1 binding → invalid_config; the metadata DB is never offered', () => {
    for (const binding of ['NOPE', 'DB', undefined]) {
      expect(() => createEngine({ engine: 'sqlite', binding }, env)).toThrowError(
        expect.objectContaining({ code: 'invalid_config' }),
      );
    }
  });
});
