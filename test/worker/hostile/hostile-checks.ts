/**
 * What every hostile suite asserts about an answer, shared by the HTTP fuzz and the room
 * fuzz: Atrium's metadata (D1) is unchanged by refusals, and no text it sends back carries
 * a secret or a stack trace.
 */
import { env } from 'cloudflare:workers';

/** Tables that record refusals by design (audit, execution history), or change on any authenticated read. */
const EXEMPT_TABLES = new Set([
  'audit_log',
  'session',
  'query_history',
  'query_slot',
  'verification',
  'd1_migrations',
]);
/** Columns touched by authentication itself (and a room's debounced save), whatever the request then does. */
const EXEMPT_COLUMNS = new Set(['last_used_at', 'updated_at']);

/** A digest of every metadata row outside the exempt tables and columns. */
export async function metadataChecksum(): Promise<string> {
  const { results } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' order by name",
  ).all<{ name: string }>();
  const tables = results.map((r) => r.name).filter((n) => !EXEMPT_TABLES.has(n));
  const dumps = await env.DB.batch(tables.map((t) => env.DB.prepare(`select * from "${t}" order by rowid`)));
  const text = JSON.stringify(
    dumps.map((d, i) => [
      tables[i],
      (d.results as Record<string, unknown>[]).map((row) =>
        Object.entries(row).filter(([k]) => !EXEMPT_COLUMNS.has(k)),
      ),
    ]),
  );
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A stack frame, a file URL or a path of this machine. */
export const STACK = /\n\s+at\s|\bat\s+\S+\s+\(\S+:\d+:\d+\)|file:\/\/|\/work\/|node_modules/;

/** The binding secrets of the test Worker (auth secret, vault keys, local endpoint path secrets). */
export function bindingSecrets(): string[] {
  const localEndpointSecrets = Object.values(
    JSON.parse(String(env.LOCAL_ENDPOINTS)) as Record<string, unknown>,
  )
    .filter((v): v is string => typeof v === 'string' && v.includes('/'))
    .flatMap((v) => new URL(v).pathname.split('/').filter((s) => s.length >= 16));
  return [
    String(env.AUTH_SECRET),
    ...String(env.VAULT_KEYS)
      .split(',')
      .map((k) => k.split(':')[1] ?? k),
    ...localEndpointSecrets,
  ];
}

/** Why `text` may not be shown to a client (a secret's first characters, or the stack), or null. */
export function leakIn(text: string, secrets: readonly string[]): string | null {
  const secret = secrets.find((s) => s.length >= 8 && text.includes(s));
  if (secret) return `carries a secret (${secret.slice(0, 6)}…)`;
  if (STACK.test(text)) return `stack trace: ${text.slice(0, 300)}`;
  return null;
}
