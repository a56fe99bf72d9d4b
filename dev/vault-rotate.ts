/**
 * `npm run vault:rotate`: moves every connection secret to a new vault key.
 *
 * Local (default): generates a key, prepends it to VAULT_KEYS in .dev.vars (old
 * keys stay listed, so a running Worker can open every row at every moment),
 * then re-seals the rows of the local D1 through `wrangler d1 execute --local`.
 * Restart `npm start` afterwards so the Worker seals new secrets with the new key.
 *
 * Production (`--remote`): the key list comes from the VAULT_KEYS environment
 * variable and is never written anywhere:
 *   1. npm run vault:rotate -- --generate            # prints a new `kid:base64` entry
 *   2. wrangler secret put VAULT_KEYS                # paste "<new entry>,<current entries>"
 *   3. VAULT_KEYS='<same value>' npm run vault:rotate -- --remote
 *   4. once it reports 0 rows on old keys: `wrangler secret put VAULT_KEYS` with the new entry only
 *
 * Why a script and not a Worker admin route: the re-seal needs nothing the
 * Worker has that the operator lacks (the operator holds the keys), and a
 * route able to rewrite every secret would be one more thing to guard in production.
 *
 * Options: --drop-old (local: remove old keys from .dev.vars once no row uses them),
 * --dev-vars <path>, --persist-to <dir> (local D1 state), --config <wrangler.toml>.
 * Nothing printed contains key material, except `--generate`, whose output is the key.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SECRET_TABLE, secretContext } from '../worker/connections/secret-context.ts';
import { countByKey, planReseal, resealSql, type SealedRow } from '../worker/vault/rotate.ts';
import { createVault, generateVaultKey, parseVaultKeys } from '../worker/vault/vault.ts';
import { ensureDevVars } from './dev-vars.ts';

const { values: args } = parseArgs({
  options: {
    remote: { type: 'boolean', default: false },
    generate: { type: 'boolean', default: false },
    'drop-old': { type: 'boolean', default: false },
    'dev-vars': { type: 'string', default: '.dev.vars' },
    'persist-to': { type: 'string' },
    config: { type: 'string' },
  },
});

const newKid = () => `k${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;

if (args.generate) {
  console.log(generateVaultKey(newKid()));
  process.exit(0);
}

function fail(message: string): never {
  console.error(`✘ ${message}`);
  process.exit(1);
}

function wrangler(extra: string[]): string {
  const target = args.remote
    ? ['--remote']
    : ['--local', ...(args['persist-to'] ? ['--persist-to', args['persist-to']] : [])];
  const config = args.config ? ['--config', args.config] : [];
  const r = spawnSync(
    'node_modules/.bin/wrangler',
    ['d1', 'execute', 'DB', ...target, ...config, '--yes', ...extra],
    {
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (r.status !== 0) fail(`wrangler d1 execute failed:\n${(r.stderr || r.stdout).slice(0, 4000)}`);
  return r.stdout;
}

function readRows(): SealedRow[] {
  const t = SECRET_TABLE;
  const out = wrangler([
    '--json',
    '--command',
    `select "${t.id}" as id, "${t.secret}" as secret from "${t.table}" where "${t.secret}" is not null`,
  ]);
  const parsed = JSON.parse(out) as { results: SealedRow[] }[];
  return parsed.flatMap((p) => p.results);
}

/** Replaces (or adds) the VAULT_KEYS line, leaving every other line as it was. */
function writeVaultKeys(path: string, text: string, keys: string) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('VAULT_KEYS='));
  if (at >= 0) lines[at] = `VAULT_KEYS=${keys}`;
  else lines.splice(lines.at(-1) === '' ? -1 : lines.length, 0, `VAULT_KEYS=${keys}`);
  writeFileSync(path, lines.join('\n'), { mode: 0o600 });
}

let keys: string;
if (args.remote) {
  keys =
    process.env.VAULT_KEYS ??
    fail('--remote needs VAULT_KEYS in the environment (the value you put as the secret)');
} else {
  const path = args['dev-vars'];
  ensureDevVars(path);
  const text = readFileSync(path, 'utf8');
  const current = /^VAULT_KEYS=(.*)$/m.exec(text)?.[1]?.trim() ?? '';
  keys = current ? `${generateVaultKey(newKid())},${current}` : generateVaultKey(newKid());
  parseVaultKeys(keys);
  // Written before any row changes: the Worker must always know every key in use.
  writeVaultKeys(path, text, keys);
  console.log(
    `${path}: VAULT_KEYS now ${parseVaultKeys(keys)
      .map((k) => k.kid)
      .join(', ')} (first is active)`,
  );
}

const vault = await createVault(keys);
const rows = readRows();
console.log(`before: ${JSON.stringify(countByKey(rows))}`);
const plan = await planReseal(rows, vault, secretContext);
if (plan.length > 0) {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-vault-'));
  const file = join(dir, 'reseal.sql');
  try {
    writeFileSync(file, resealSql(plan, SECRET_TABLE), { mode: 0o600 });
    wrangler(['--file', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const after = countByKey(readRows());
const left = Object.entries(after)
  .filter(([kid]) => kid !== vault.activeKeyId)
  .reduce((n, [, count]) => n + count, 0);
console.log(`after: ${JSON.stringify(after)}; re-sealed ${plan.length} row(s) under ${vault.activeKeyId}`);
if (left > 0) fail(`${left} row(s) still use old keys (edited during the run?); run again`);

if (args['drop-old'] && !args.remote) {
  const path = args['dev-vars'];
  writeVaultKeys(path, readFileSync(path, 'utf8'), keys.split(',')[0]!);
  console.log(`${path}: dropped old keys; VAULT_KEYS is ${vault.activeKeyId} only`);
}
console.log(
  args.remote ? '✔ done; old keys may now be removed from the secret' : '✔ done; restart `npm start`',
);
