import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';

/**
 * Local secrets live in .dev.vars (git-ignored), generated once so that data
 * encrypted in local D1 stays readable across restarts.
 */
export function ensureDevVars(path = '.dev.vars'): void {
  if (existsSync(path)) return;
  const vaultKey = randomBytes(32).toString('base64');
  writeFileSync(
    path,
    [`AUTH_SECRET=${randomBytes(32).toString('hex')}`, `VAULT_KEYS=dev1:${vaultKey}`, ''].join('\n'),
    { mode: 0o600 },
  );
  console.log(`wrote ${path} with fresh local secrets`);
}
