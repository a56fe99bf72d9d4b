/**
 * Privileged logins, as the connection page and API report them. A read-only transaction
 * keeps a run from writing rows, but not from what its login can do on the server
 * (`COPY … TO PROGRAM`, server files), so Atrium says so until viewers have a login of
 * their own that the database holds to SELECT.
 */
import type { Engine, LoginPrivileges, PrivilegeReason } from '../engines/engine.ts';
import type { PrivilegeFindings } from '../meta/connections.ts';
import type { LoginFinding, PrivilegedLoginView, TestOutcome } from './types.ts';

/** Reasons that make a login a superuser in all but name. */
const SUPERUSER: ReadonlySet<PrivilegeReason> = new Set(['superuser', 'super', 'all_privileges']);

const CAN: Partial<Record<PrivilegeReason, string>> = {
  pg_execute_server_program: 'run programs on the database server',
  pg_write_server_files: 'write files on the database server',
  pg_read_server_files: 'read files on the database server',
  file: 'read and write files on the database server',
};

/** "a superuser", or "a login that can run programs on the database server". */
function describe(reasons: readonly PrivilegeReason[]): string {
  if (reasons.some((r) => SUPERUSER.has(r))) return 'a superuser';
  const abilities = reasons.map((r) => CAN[r]).filter((s): s is string => !!s);
  return `a login that can ${abilities.join(' and ')}`;
}

const named = (f: LoginFinding) => `${f.user ? `"${f.user}"` : 'the login'}: ${f.reasons.join(', ')}`;

function warningOf(main: LoginFinding, readOnly: LoginFinding | null, readOnlyUser: string | null) {
  if (readOnlyUser !== null) {
    if (!readOnly?.privileged) return null;
    return (
      `Viewers run as ${describe(readOnly.reasons)}: the read-only login is privileged (${named(readOnly)}). ` +
      'Give it only SELECT, or a role without server access.'
    );
  }
  if (!main.privileged) return null;
  return (
    `Viewers run as ${describe(main.reasons)} (${named(main)}). ` +
    'Add a read-only login so the database itself keeps viewers and read-only runs to reading.'
  );
}

const findingOf = (p: LoginPrivileges): LoginFinding => ({
  user: p.user,
  privileged: p.privileged,
  reasons: [...p.reasons],
});

/**
 * The view of the last test's findings for a connection whose read-only login (if any)
 * is `readOnlyUser`. A read-only login added after the test has no finding yet.
 */
export function privilegedLoginView(
  findings: PrivilegeFindings | null,
  readOnlyUser: string | null,
): PrivilegedLoginView | null {
  if (!findings?.login) return null;
  const main = findingOf(findings.login);
  const readOnly = readOnlyUser !== null && findings.readOnlyLogin ? findingOf(findings.readOnlyLogin) : null;
  return { ...main, readOnlyLogin: readOnly, warning: warningOf(main, readOnly, readOnlyUser) };
}

/**
 * True when read-only runs under the read-only login are held by the database: that login
 * was not found privileged at the last test. The query path keeps its defence-in-depth
 * refusal of server-side effects whenever this is false.
 */
export function readOnlyLoginTrusted(findings: PrivilegeFindings | null): boolean {
  return findings?.readOnlyLogin?.privileged !== true;
}

/**
 * Asks the engine about its login. A server that will not say (a catalog the login may
 * not read, an old version) leaves the finding unknown rather than failing the test.
 */
export async function probePrivileges(
  engine: Engine,
  timeoutMs: number | undefined,
): Promise<LoginPrivileges | null> {
  try {
    return await engine.privileges(timeoutMs === undefined ? {} : { timeoutMs });
  } catch (err) {
    console.error(
      JSON.stringify({
        level: 'warn',
        event: 'connection.privileges_unknown',
        error: err instanceof Error ? err.name : 'unknown',
        code: (err as { code?: unknown })?.code ?? null,
      }),
    );
    return null;
  }
}

/** Merges the main and read-only tests into one outcome; a broken read-only login fails the test. */
export function combineTests(
  main: TestOutcome,
  readOnly: TestOutcome | null,
  readOnlyUser: string | null,
): { outcome: TestOutcome; findings: PrivilegeFindings | null } {
  const findings = main.ok
    ? { login: main.privileges ?? null, readOnlyLogin: readOnly?.privileges ?? null }
    : null;
  const failed = readOnly && !readOnly.ok ? readOnly : null;
  const outcome: TestOutcome = failed
    ? {
        ...failed,
        error: failed.error && {
          code: failed.error.code,
          message: `The read-only login failed: ${failed.error.message}`,
        },
      }
    : main;
  return { outcome: { ...outcome, privilegedLogin: privilegedLoginView(findings, readOnlyUser) }, findings };
}
