import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import { hostRefusal } from '../../../worker/connections/host-policy.ts';
import type { ConnectionView } from '../../../worker/connections/types.ts';
import { createOrg, jsonInit, TEST_ORIGIN, type TestUser } from '../../support/auth.ts';

/**
 * The host policy with the allowance off, as in production. The refused addresses are never
 * dialled: every outbound fetch and WebSocket the drivers could open is counted (and anything
 * but loopback is refused by the stub itself), and the refusals must come with zero of them.
 */

describe('which hosts are refused', () => {
  const refused = [
    '127.0.0.1',
    '127.1',
    '2130706433',
    '0x7f000001',
    '0x7f.0.0.1',
    '0177.0.0.1',
    '127.0.0.1.',
    '%31%32%37.0.0.1',
    '\uff11\uff12\uff17.0.0.1',
    'localhost',
    'LOCALHOST.',
    'db.localhost',
    '0.0.0.0',
    '0',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '100.64.0.1',
    '100.127.255.254',
    '169.254.169.254',
    '169.254.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '[::ffff:169.254.169.254]',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:a00:1::1',
    'fe80::1',
    'febf::1',
    'fc00::1',
    'fd12:3456::1',
    'fd00:ec2::254',
    'ff02::1',
    'metadata.google.internal',
    'Metadata.Google.Internal.',
    'metadata',
    'instance-data',
    'fe80::1%25eth0',
    'user@10.0.0.1',
    'db.example.com/path',
    'db.example.com,10.0.0.1',
    '',
    ' ',
  ];
  for (const host of refused) {
    it(`refuses ${JSON.stringify(host)}`, () => {
      expect(hostRefusal(host)).not.toBeNull();
    });
  }

  const allowed = [
    'db.example.com',
    'ep-quiet-lake-123456.us-east-2.aws.neon.tech',
    'aws.connect.psdb.cloud',
    '8.8.8.8',
    '11.0.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '192.169.0.1',
    '2001:4860:4860::8888',
    '[2606:4700::1111]',
    'localhost.example.com',
    'metadata.example.com',
  ];
  for (const host of allowed) {
    it(`allows ${JSON.stringify(host)}`, () => {
      expect(hostRefusal(host)).toBeNull();
    });
  }
});

describe('refusing before any connection is attempted', () => {
  const app = createApp();
  const production = { ALLOW_PRIVATE_HOSTS: '' };
  const call = (path: string, init: RequestInit, vars: Record<string, string> = production) =>
    app.request(`${TEST_ORIGIN}${path}`, init, { ...env, ...vars });

  let owner: TestUser;
  let dials: string[];
  beforeAll(async () => {
    owner = (await createOrg()).owner;
  });

  beforeEach(() => {
    dials = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      dials.push(url.host);
      // Belt and braces: whatever happens, this test never lets traffic leave loopback.
      if (url.hostname !== '127.0.0.1') return Promise.reject(new TypeError('blocked by the test'));
      return realFetch(input, init);
    });
    const RealWebSocket = globalThis.WebSocket;
    vi.stubGlobal(
      'WebSocket',
      class extends RealWebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          dials.push(new URL(String(url)).host);
          if (new URL(String(url)).hostname !== '127.0.0.1') throw new TypeError('blocked by the test');
          super(url, protocols);
        }
      },
    );
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  async function refusedWithoutDialling(res: Response) {
    const text = await res.text();
    expect(res.status, text).toBe(400);
    expect(JSON.parse(text).error.code).toBe('host_not_allowed');
    expect(dials).toEqual([]);
  }

  it('on create, by fields and by connection string', async () => {
    await refusedWithoutDialling(
      await call(
        '/api/connections',
        jsonInit('POST', { name: 'private', engine: 'postgres', host: '10.0.0.1' }, owner.cookieHeaders),
      ),
    );
    await refusedWithoutDialling(
      await call(
        '/api/connections',
        jsonInit(
          'POST',
          {
            name: 'metadata',
            engine: 'postgres',
            connectionString: 'postgres://u:p@169.254.169.254:80/latest',
          },
          owner.cookieHeaders,
        ),
      ),
    );
  });

  it('on an unsaved test, in any spelling', async () => {
    for (const host of ['0x7f000001', '2130706433', '[::ffff:10.0.0.1]', 'fd00:ec2::254', 'localhost']) {
      await refusedWithoutDialling(
        await call(
          '/api/connections/test',
          jsonInit('POST', { engine: 'mysql', host, port: 3306, user: 'root' }, owner.cookieHeaders),
        ),
      );
    }
  });

  it('on update', async () => {
    const res = await call(
      '/api/connections',
      jsonInit('POST', { name: 'public', engine: 'postgres', host: 'db.example.com' }, owner.cookieHeaders),
    );
    expect(res.status).toBe(201);
    const { id } = await res.json<ConnectionView>();
    await refusedWithoutDialling(
      await call(`/api/connections/${id}`, jsonInit('PATCH', { host: '192.168.0.10' }, owner.cookieHeaders)),
    );
    expect(dials).toEqual([]);
  });

  it('on test and open of a connection saved while private hosts were allowed', async () => {
    const allowed = { ALLOW_PRIVATE_HOSTS: '1' };
    const saved = await call(
      '/api/connections',
      jsonInit(
        'POST',
        {
          name: 'local pagila',
          engine: 'postgres',
          // The stand-in's fetches are what the counter sees (TCP refusals: transport.test.ts).
          transport: 'neon-http',
          host: '127.0.0.1',
          port: 5432,
          user: 'postgres',
          database: 'pagila',
          sslMode: 'disable',
        },
        owner.cookieHeaders,
      ),
      allowed,
    );
    expect(saved.status, await saved.clone().text()).toBe(201);
    const { id } = await saved.json<ConnectionView>();

    await refusedWithoutDialling(
      await call(`/api/connections/${id}/test`, { method: 'POST', headers: owner.cookieHeaders }),
    );
    await refusedWithoutDialling(
      await call(`/api/connections/${id}/query`, jsonInit('POST', { sql: 'select 1' }, owner.cookieHeaders)),
    );

    // The control: with the allowance the same connection is dialled (through the loopback
    // stand-in), so the counter above would have seen a connection attempt.
    const ok = await call(
      `/api/connections/${id}/test`,
      { method: 'POST', headers: owner.cookieHeaders },
      allowed,
    );
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(dials.length).toBeGreaterThan(0);
  });
});
