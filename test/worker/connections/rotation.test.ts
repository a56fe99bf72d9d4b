import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import { resealConnections } from '../../../worker/connections/rotate.ts';
import { createVault, envelopeKeyId, generateVaultKey } from '../../../worker/vault/vault.ts';
import { api, createOrg, jsonInit } from '../../support/auth.ts';

describe('vault key rotation', () => {
  it('re-seals every connection under the new key; the Worker opens them with the new key list', async () => {
    const { owner } = await createOrg();
    const pg = {
      engine: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database: 'pagila',
      sslMode: 'disable',
    };
    const ids: string[] = [];
    for (const [name, extra] of [
      ['rot-a', { password: 'rotate-me-a' }],
      ['rot-b', { password: 'rotate-me-b' }],
    ] as const) {
      const res = await api(
        '/api/connections',
        jsonInit('POST', { name, ...pg, ...extra }, owner.cookieHeaders),
      );
      expect(res.status).toBe(201);
      ids.push((await res.json<{ id: string }>()).id);
    }
    const kidOf = async (id: string) =>
      envelopeKeyId(
        (await env.DB.prepare('select secret from connection where id = ?')
          .bind(id)
          .first<{ secret: string }>())!.secret,
      );
    expect(await kidOf(ids[0]!)).toBe('k1');

    const rotatedKeys = `${generateVaultKey('k2')},${env.VAULT_KEYS}`;
    const result = await resealConnections(env.DB, await createVault(rotatedKeys));
    expect(result.resealed).toBeGreaterThanOrEqual(2);
    expect(Object.keys(result.byKey)).toEqual(['k2']);
    expect(await kidOf(ids[0]!)).toBe('k2');
    // A second run has nothing left to do.
    expect((await resealConnections(env.DB, await createVault(rotatedKeys))).resealed).toBe(0);

    const app = createApp();
    const testWith = (keys: string | undefined) =>
      app.request(
        `http://atrium.test/api/connections/${ids[0]}/test`,
        { method: 'POST', headers: owner.cookieHeaders },
        { ...env, VAULT_KEYS: keys },
      );
    const ok = await testWith(rotatedKeys);
    expect(ok.status, await ok.clone().text()).toBe(200);
    // The old key list alone no longer opens the row, and says so with a code.
    const stale = await testWith(env.VAULT_KEYS);
    expect(stale.status).toBe(500);
    expect((await stale.json<{ error: { code: string } }>()).error.code).toBe('vault_key_unknown');
    const missing = await testWith(undefined);
    expect((await missing.json<{ error: { code: string } }>()).error.code).toBe('vault_not_configured');
  });
});
