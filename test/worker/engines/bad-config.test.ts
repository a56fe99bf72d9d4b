/**
 * Bad input and bad servers answer with the right EngineError code, within the timeout:
 * never a hang, never an empty result. Each case goes through the real driver and endpoint.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createEngine, type EngineConfig } from '../../../worker/engines/create-engine.ts';
import { EngineError, type EngineErrorCode } from '../../../worker/engines/engine.ts';
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
  { name: 'postgres', base: pagila },
  { name: 'mysql', base: sakila },
])('$name: bad configurations', ({ base }) => {
  it('unknown host → host_not_found', async () => {
    expect((await codeOf({ ...base, host: 'no-such-host.invalid' })).code).toBe('host_not_found');
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

  // The local PostgreSQL trusts 127.0.0.1 (any password is accepted), so the server-side
  // authentication failure it can produce is an unknown role (SQLSTATE 28000).
  it('postgres: a role the server refuses → auth_failed, password not in the message', async () => {
    const { code, message } = await codeOf({ ...pagila, user: 'no_such_role', password: planted });
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
