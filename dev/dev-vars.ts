import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { newEndpointSecret } from './endpoints/gate.ts';

/** The `.dev.vars` lines `npm start` needs, each generated once. */
const GENERATED: Record<string, () => string> = {
  AUTH_SECRET: () => randomBytes(32).toString('hex'),
  VAULT_KEYS: () => `dev1:${randomBytes(32).toString('base64')}`,
  // Only the Worker is told it (inside LOCAL_ENDPOINTS), so web pages cannot use the stand-ins.
  LOCAL_ENDPOINTS_SECRET: newEndpointSecret,
};

/**
 * Local secrets live in .dev.vars (git-ignored), generated once so that data
 * encrypted in local D1 stays readable across restarts. A file from an older
 * Atrium gains the secrets it lacks; existing values are never replaced.
 * Returns the file's variables.
 */
export function ensureDevVars(path = '.dev.vars'): Record<string, string> {
  const vars = existsSync(path) ? parseDevVars(readFileSync(path, 'utf8')) : {};
  const missing = Object.keys(GENERATED).filter((name) => !vars[name]);
  if (missing.length === 0) return vars;
  const lines = missing.map((name) => {
    vars[name] = GENERATED[name]!();
    return `${name}=${vars[name]}\n`;
  });
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    appendFileSync(path, `${text === '' || text.endsWith('\n') ? '' : '\n'}${lines.join('')}`);
  } else {
    writeFileSync(path, lines.join(''), { mode: 0o600 });
  }
  console.log(`wrote ${missing.join(', ')} to ${path}`);
  return vars;
}

/** `NAME=value` lines (values optionally quoted); comments and blank lines skipped. */
function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_]\w*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    vars[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return vars;
}
