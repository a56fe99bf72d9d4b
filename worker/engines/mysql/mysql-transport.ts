/**
 * What the MySQL dialect (mysql-engine.ts) needs from a way of reaching the server: a connection
 * whose statements share one server session (settings and transactions hold across them), rows
 * as arrays already mapped to the value contract. A new transport (TCP) is one file beside
 * planetscale-http.ts.
 */

export interface MysqlRaw {
  /** `type` is the driver's field type name (`INT64`, `VARCHAR`…). */
  fields: { name: string; type: string }[];
  rows: unknown[][];
  rowsAffected: number;
}

export interface MysqlConnection {
  /** One statement; `args` already mapped for the driver (`toMysqlParam`), or null for none. */
  execute(sql: string, args: readonly unknown[] | null): Promise<MysqlRaw>;
  /** Ends the connection's session (a TCP socket); HTTP sessions have nothing to close. */
  close?(): void;
  /**
   * One statement's rows in batches as the server sends them (a TCP socket; HTTP has no such
   * thing), reading no further while a batch waits for the consumer: a batch ends at `rows` rows
   * or once it holds `bytes` bytes. The first batch carries the fields even when there are no
   * rows. Ending the iteration early stops the statement on the server.
   */
  stream?(sql: string, args: readonly unknown[] | null, batch: StreamBatch): AsyncIterable<MysqlRaw>;
}

export interface StreamBatch {
  rows: number;
  bytes: number;
}

/**
 * Opens a connection whose every request stops when `signal` aborts; `maxBody` is the byte budget
 * for every response of the connection together (absent for no cap).
 */
export type MysqlConnector = (signal: AbortSignal, maxBody?: number) => MysqlConnection;
