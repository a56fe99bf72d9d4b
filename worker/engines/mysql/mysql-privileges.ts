/** What a MySQL login may do past its rows: global SUPER, FILE or ALL grants. */
import type { Engine, LoginPrivileges, PrivilegeReason } from '../engine.ts';
import { privilegeFinding as finding } from '../privileges.ts';

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
