import type { Env } from '../env.ts';
import type { BuiltinStateRow } from '../meta/connections.ts';
import type { ConnectionView } from './types.ts';
import { iso, statusOf } from './views.ts';

/**
 * D1 databases bound in wrangler.toml that every organization sees as read-only
 * connections. Only bindings listed here are reachable as SQLite connections:
 * never `DB`, which holds Atrium's own metadata (sessions, vault envelopes).
 */
export const BUILTIN_D1 = [
  {
    id: 'builtin:demo',
    binding: 'DEMO_DB',
    name: 'Chinook demo',
    description: 'A digital music store (Chinook 1.4.5), embedded in Atrium as a D1 database.',
    color: '#0ea5e9',
    tags: ['demo'],
  },
] as const satisfies readonly {
  id: `builtin:${string}`;
  binding: keyof Env;
  name: string;
  description: string;
  color: string;
  tags: readonly string[];
}[];

export type BuiltinD1 = (typeof BUILTIN_D1)[number];
export type D1BindingName = BuiltinD1['binding'];

export const D1_BINDINGS: readonly string[] = BUILTIN_D1.map((b) => b.binding);

export const isBuiltinId = (id: string) => id.startsWith('builtin:');

export function findBuiltin(id: string): BuiltinD1 | undefined {
  return BUILTIN_D1.find((b) => b.id === id);
}

/** A built-in as the API shows it, with this organization's last test and use when there are any. */
export function builtinView(builtin: BuiltinD1, state?: BuiltinStateRow): ConnectionView {
  return {
    id: builtin.id,
    name: builtin.name,
    description: builtin.description,
    color: builtin.color,
    engine: 'sqlite',
    builtin: true,
    active: true,
    tags: [...builtin.tags],
    usesConnectionString: false,
    host: null,
    port: null,
    database: null,
    user: null,
    sslMode: null,
    d1Binding: builtin.binding,
    hasPassword: false,
    connectionStringRedacted: null,
    status: state
      ? statusOf(state)
      : { state: 'untested', latencyMs: null, serverVersion: null, error: null, testedAt: null },
    lastUsedAt: iso(state?.lastUsedAt ?? null),
    createdAt: null,
    updatedAt: null,
  };
}
