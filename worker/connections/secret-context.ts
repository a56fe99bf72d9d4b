/**
 * A connection's vault envelope is bound to its row (GCM additional data), so a
 * ciphertext copied onto another row does not open. Kept import-free: the
 * rotation script (dev/vault-rotate.ts) runs it in Node.
 */
export const secretContext = (connectionId: string) => `connection:${connectionId}`;

/** The table and columns the rotation reads and rewrites. */
export const SECRET_TABLE = { table: 'connection', id: 'id', secret: 'secret' } as const;
