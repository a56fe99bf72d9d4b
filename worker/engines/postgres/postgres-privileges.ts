/** What a Postgres login may do past its rows: superuser and the server-file/program roles. */
import type { Engine, LoginPrivileges, PrivilegeReason } from '../engine.ts';
import { privilegeFinding as finding } from '../privileges.ts';

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
