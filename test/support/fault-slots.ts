/**
 * Logins with a single connection slot, for the exhausted-slots fault tests: a
 * PostgreSQL role with CONNECTION LIMIT 1 and a MariaDB user with
 * MAX_USER_CONNECTIONS 1 on the local servers. The test holds the one slot with a
 * connection of its own, so Atrium meets the server's real refusal (SQLSTATE 53300,
 * errno 1226) rather than a simulated one.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { expect } from 'vitest';
import {
  type ErrorBody,
  expectWorks,
  FAULT_ENGINES,
  type FaultEngine,
  queryOn,
  scratchConnection,
} from './fault-targets.ts';
import type { AtriumClient } from './http-client.ts';
import { mariadb, psql } from './sql-shell.ts';

export const SLOT_LOGIN = { user: 'fault_slots', password: 'fault-slots-2026' } as const;

/** Creates (or resets) both logins; idempotent. */
export function ensureSlotLogins(): void {
  const { user, password } = SLOT_LOGIN;
  // Loopback is trusted for every role but atrium_pw (pg_hba.conf), so no password here.
  psql(
    'atrium_test',
    `do $$ begin if not exists (select from pg_roles where rolname = '${user}') then create role ${user} login; end if; end $$;` +
      `alter role ${user} connection limit 1`,
  );
  mariadb(
    `create user if not exists '${user}'@'%' identified by '${password}';` +
      `alter user '${user}'@'%' identified by '${password}' with max_user_connections 1;` +
      `grant select on atrium_test.* to '${user}'@'%'`,
  );
}

/** Takes the login's one slot; the returned function gives it back. */
export async function holdSlot(engine: 'postgres' | 'mysql'): Promise<() => Promise<void>> {
  const { user, password } = SLOT_LOGIN;
  if (engine === 'postgres') {
    const held = new pg.Client({ host: '127.0.0.1', port: 5432, user, database: 'atrium_test' });
    await held.connect();
    return () => held.end();
  }
  const held = await mysql.createConnection({
    host: '127.0.0.1',
    port: 3306,
    user,
    password,
    database: 'atrium_test',
  });
  return () => held.end();
}

/** The server's own code for a login with no free slot: PostgreSQL's SQLSTATE, MariaDB's errno. */
const SLOTS_FULL_CODE = { postgres: '53300', mysql: '1226' } as const satisfies Record<FaultEngine, string>;

/**
 * A connection over `transport` with the one-slot login answers `too_many_connections`, with the
 * server's code, while the slot is held, and answers normally once it is given back.
 */
export async function expectSlotsExhausted(
  client: AtriumClient,
  engine: FaultEngine,
  transport: string,
): Promise<void> {
  ensureSlotLogins();
  const conn = await client.createConnection({
    name: `${engine} over ${transport} with one slot`,
    ...scratchConnection(engine),
    transport,
    host: '127.0.0.1',
    port: FAULT_ENGINES[engine].port,
    ...SLOT_LOGIN,
  });
  const release = await holdSlot(engine);
  try {
    const res = await queryOn(client, conn, 'select 1');
    const text = await res.text();
    // The whole answer, so a wrong status shows its code and message.
    expect({ status: res.status, text }).toMatchObject({ status: 503 });
    const err = JSON.parse(text) as ErrorBody;
    expect(err.error.code).toBe('too_many_connections');
    expect(err.error.details?.dbCode).toBe(SLOTS_FULL_CODE[engine]);
  } finally {
    await release();
  }
  await expectWorks(client, conn);
}
