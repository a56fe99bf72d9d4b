/** Audit entries for connection actions: target `connection:<id>`, never a setting's value. */
import { auditInsert } from '../audit/index.ts';
import type { Env } from '../env.ts';
import type { Scope } from './scope.ts';

/** The audit insert, unexecuted: batch it with the change it records so both commit or neither. */
export function connectionAudit(
  env: Env,
  scope: Scope,
  action: string,
  id: string | null,
  outcome: 'success' | 'failure',
  detail: Record<string, unknown> | null,
) {
  return auditInsert(env, {
    auth: scope.auth,
    orgId: scope.orgId,
    action,
    target: id ? `connection:${id}` : null,
    outcome,
    detail,
  });
}

/** Writes a connection audit entry on its own. */
export async function recordConnectionAudit(...args: Parameters<typeof connectionAudit>): Promise<void> {
  await connectionAudit(...args);
}
