import { randomSecret } from '../auth/secrets.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import { sha256Hex } from '../lib/hash.ts';
import type { Caller } from '../queries/execution.ts';

/** Long enough for a browser to start the download, short enough that a leaked URL is worthless. */
export const TICKET_TTL_MS = 60_000;

/** What a ticket stands for: the query and how to write it, chosen by the POST that made it. */
export interface TicketedExport {
  sql: string;
  params: unknown[];
  escapeFormulas: boolean;
  filename: string | null;
}

/**
 * Stores a ticket bound to the caller's user, org and the connection. Only its
 * SHA-256 is kept, like API tokens: a read of the table cannot replay a ticket.
 */
export async function createTicket(
  env: Env,
  caller: Caller,
  connectionId: string,
  spec: TicketedExport,
): Promise<{ ticket: string; expiresAt: number }> {
  const ticket = randomSecret(32);
  const now = Date.now();
  const expiresAt = now + TICKET_TTL_MS;
  await env.DB.batch([
    // Swept lazily here: a ticket nobody used is dead weight once it expires.
    env.DB.prepare('delete from export_ticket where expires_at <= ?').bind(now),
    env.DB.prepare(
      `insert into export_ticket
         (id, org_id, user_id, connection_id, sql, params, escape_formulas, filename, expires_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      await sha256Hex(ticket),
      caller.orgId,
      caller.userId,
      connectionId,
      spec.sql,
      JSON.stringify(spec.params),
      spec.escapeFormulas ? 1 : 0,
      spec.filename,
      expiresAt,
    ),
  ]);
  return { ticket, expiresAt };
}

interface TicketRow {
  sql: string;
  params: string;
  escape_formulas: number;
  filename: string | null;
}

/**
 * Consumes a ticket: D1 runs writes one at a time, so exactly one `DELETE …
 * RETURNING` gets the row, whichever isolate asks. The binding is part of the
 * WHERE clause, so someone else's ticket (another user, org or connection) is
 * indistinguishable from an unknown one — and is not burnt by the attempt.
 */
export async function consumeTicket(
  env: Env,
  caller: Caller,
  connectionId: string,
  ticket: string,
): Promise<TicketedExport> {
  const row = await env.DB.prepare(
    `delete from export_ticket
     where id = ? and org_id = ? and user_id = ? and connection_id = ? and expires_at > ?
     returning sql, params, escape_formulas, filename`,
  )
    .bind(await sha256Hex(ticket), caller.orgId, caller.userId, connectionId, Date.now())
    .first<TicketRow>();
  if (!row) {
    throw new ApiError(
      404,
      'export_ticket_invalid',
      'This export link is unknown, expired or already used; start the export again',
    );
  }
  const params: unknown = JSON.parse(row.params);
  return {
    sql: row.sql,
    params: Array.isArray(params) ? params : [],
    escapeFormulas: row.escape_formulas === 1,
    filename: row.filename,
  };
}
