/**
 * What a login may do past its rows, asked of the server itself. A read-only transaction
 * stops writes to tables, not what the login can reach outside the database (server
 * programs, server files), so studios must know when viewers run as such a login.
 */
import type { Engine, LoginPrivileges, PrivilegeReason } from './engine.ts';

/**
 * Superusers pass every `pg_has_role` check, so their reasons list the roles too.
 * `to_regrole` is null on servers that predate a role, and `pg_has_role` is strict.
 */
const PG_PRIVILEGES = `select current_user::text,
  coalesce((select rolsuper from pg_roles where rolname = current_user), false),
  coalesce(pg_has_role(current_user, to_regrole('pg_execute_server_program'), 'member'), false),
  coalesce(pg_has_role(current_user, to_regrole('pg_write_server_files'), 'member'), false),
  coalesce(pg_has_role(current_user, to_regrole('pg_read_server_files'), 'member'), false)`;

const PG_REASONS: PrivilegeReason[] = [
  'superuser',
  'pg_execute_server_program',
  'pg_write_server_files',
  'pg_read_server_files',
];

const finding = (user: string | null, reasons: PrivilegeReason[]): LoginPrivileges => ({
  user,
  privileged: reasons.length > 0,
  reasons,
});

export async function postgresPrivileges(
  engine: Pick<Engine, 'query'>,
  timeoutMs: number | undefined,
): Promise<LoginPrivileges> {
  const { rows } = await engine.query(PG_PRIVILEGES, { readOnly: true, timeoutMs });
  const [user, ...flags] = rows[0] ?? [];
  return finding(
    typeof user === 'string' ? user : null,
    PG_REASONS.filter((_, i) => flags[i] === true),
  );
}

/** `GRANT SUPER, FILE ON *.* TO …`: only global grants reach the server itself. */
const GLOBAL_GRANT = /^GRANT\s+(.+?)\s+ON\s+\*\.\*\s+TO\s/i;

/** The reasons `SHOW GRANTS` lines give, in the fixed order of `PrivilegeReason`. */
export function mysqlReasons(grants: readonly string[]): PrivilegeReason[] {
  const granted = new Set<string>();
  for (const line of grants) {
    const list = GLOBAL_GRANT.exec(line)?.[1];
    if (!list) continue;
    for (const p of list.split(',')) granted.add(p.trim().toUpperCase().replace(/\s+/g, ' '));
  }
  const reasons: PrivilegeReason[] = [];
  if (granted.has('ALL PRIVILEGES') || granted.has('ALL')) reasons.push('all_privileges');
  if (granted.has('SUPER')) reasons.push('super');
  if (granted.has('FILE')) reasons.push('file');
  return reasons;
}

export async function mysqlPrivileges(
  engine: Pick<Engine, 'query'>,
  timeoutMs: number | undefined,
): Promise<LoginPrivileges> {
  const [grants, who] = await Promise.all([
    engine.query('SHOW GRANTS', { timeoutMs }),
    engine.query('select current_user()', { timeoutMs }),
  ]);
  const user = who.rows[0]?.[0];
  return finding(
    typeof user === 'string' ? user : null,
    mysqlReasons(grants.rows.map((r) => String(r[0] ?? ''))),
  );
}
