/**
 * What a login may do past its rows, asked of the server itself. A read-only transaction
 * stops writes to tables, not what the login can reach outside the database (server
 * programs, server files), so studios must know when viewers run as such a login.
 */
import type { LoginPrivileges, PrivilegeReason } from './engine.ts';

export const privilegeFinding = (user: string | null, reasons: PrivilegeReason[]): LoginPrivileges => ({
  user,
  privileged: reasons.length > 0,
  reasons,
});
