import { capabilitiesOf } from '../engines/dialects.ts';
import type { Env } from '../env.ts';
import type { BuiltinStateRow } from '../meta/connections.ts';
import type { ConnectionView } from './types.ts';
import { iso, statusOf } from './views.ts';

/**
 * D1 databases bound in wrangler.toml that every organization sees as read-only
 * connections, reached only through their `builtin:` id. No saved connection may
 * name their bindings (or `DB`, Atrium's own metadata): a saved connection is
 * writable by its organization's editors, and these databases belong to nobody.
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

/** Bindings no saved connection may name, whatever `USER_D1_BINDINGS` says. */
export const RESERVED_D1_BINDINGS: ReadonlySet<string> = new Set(['DB', ...BUILTIN_D1.map((b) => b.binding)]);

/**
 * D1 bindings an organization may attach as its own SQLite connection: the
 * comma-separated `USER_D1_BINDINGS` var (empty by default), minus the reserved ones.
 */
export function userD1Bindings(env: { USER_D1_BINDINGS?: string | undefined }): string[] {
  return (env.USER_D1_BINDINGS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '' && !RESERVED_D1_BINDINGS.has(b));
}

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
    capabilities: capabilitiesOf('sqlite'),
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
    transport: 'd1-binding',
    hyperdrive: null,
    hasPassword: false,
    hasReadOnlyLogin: false,
    readOnlyUser: null,
    privilegedLogin: null,
    connectionStringRedacted: null,
    status: state
      ? statusOf(state)
      : { state: 'untested', latencyMs: null, serverVersion: null, error: null, testedAt: null },
    lastUsedAt: iso(state?.lastUsedAt ?? null),
    createdAt: null,
    updatedAt: null,
  };
}
