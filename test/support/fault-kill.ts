/**
 * The database server ending a session on its own (an admin's KILL, pg_terminate_backend, a
 * reaper), for fault tests. Only the sessions that came through a given fault proxy are ended,
 * named by the proxy's upstream ports (the client port the server sees), so the shared servers'
 * other users never notice.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';

/** Ends every server session whose client port is in `ports`; resolves to how many were ended. */
export async function killSessionsFrom(engine: 'postgres' | 'mysql', ports: number[]): Promise<number> {
  if (ports.length === 0) return 0;
  if (engine === 'postgres') {
    const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      const r = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where client_port = any($1::int[])',
        [ports],
      );
      return r.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    const hosts = ports.map((p) => `127.0.0.1:${p}`);
    const [rows] = await admin.query('select id from information_schema.processlist where host in (?)', [
      hosts,
    ]);
    const ids = (rows as { id: number }[]).map((r) => r.id);
    for (const id of ids) await admin.query(`kill ${Number(id)}`).catch(() => undefined);
    return ids.length;
  } finally {
    await admin.end();
  }
}
