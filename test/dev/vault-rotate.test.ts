import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createVault, envelopeKeyId, parseVaultKeys } from '../../worker/vault/vault.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const OLD_KEY = 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const dir = mkdtempSync(join(tmpdir(), 'atrium-rotate-test-'));
const devVars = join(dir, '.dev.vars');
const state = join(dir, 'state');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      PATH: `${root}node_modules/.bin:${process.env.PATH}`,
    },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}
const d1 = (sql: string) =>
  JSON.parse(
    run('node_modules/.bin/wrangler', [
      'd1',
      'execute',
      'DB',
      '--local',
      '--persist-to',
      state,
      '--yes',
      '--json',
      '--command',
      sql,
    ]),
  ) as {
    results: Record<string, unknown>[];
  }[];
const keysIn = (text: string) => /^VAULT_KEYS=(.*)$/m.exec(text)?.[1] ?? '';

describe('npm run vault:rotate', () => {
  it('prepends a key to .dev.vars and re-seals the local D1 rows to it', { timeout: 240_000 }, async () => {
    writeFileSync(devVars, `AUTH_SECRET=unchanged\nVAULT_KEYS=${OLD_KEY}\n`, { mode: 0o600 });
    run('node_modules/.bin/wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state]);
    const envelope = await (await createVault(OLD_KEY)).seal(
      JSON.stringify({ password: 'plain-rotated' }),
      'connection:c1',
    );
    d1(
      "insert into organization (id, name) values ('o1', 'Org'); " +
        `insert into connection (id, org_id, name, color, engine, host, port, secret, has_password, created_by, created_at, updated_at) values ('c1', 'o1', 'pg', '#000000', 'postgres', 'h', 5432, '${envelope}', 1, 'u', 0, 0)`,
    );

    const out = run('node', ['dev/vault-rotate.ts', '--dev-vars', devVars, '--persist-to', state]);
    const text = readFileSync(devVars, 'utf8');
    expect(text).toContain('AUTH_SECRET=unchanged');
    expect(statSync(devVars).mode & 0o777).toBe(0o600);
    const keys = parseVaultKeys(keysIn(text));
    expect(keys.map((k) => k.kid).slice(1)).toEqual(['k1']);
    const newKid = keys[0]!.kid;
    const secret = String(d1("select secret from connection where id = 'c1'")[0]!.results[0]!.secret);
    expect(envelopeKeyId(secret)).toBe(newKid);
    expect(await (await createVault(keysIn(text))).open(secret, 'connection:c1')).toBe(
      '{"password":"plain-rotated"}',
    );
    // The report names key ids, never key material or plaintext.
    expect(out).toContain(newKid);
    for (const leak of [OLD_KEY.slice(3), keysIn(text).split(',')[0]!.split(':')[1]!, 'plain-rotated']) {
      expect(out).not.toContain(leak);
    }
  });
});
