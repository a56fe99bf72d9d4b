/**
 * Atrium's own metadata in D1, one module per domain. drizzle-kit reads this
 * barrel to generate migrations/; routes import tables from here.
 */
export * from './audit.ts';
export * from './auth.ts';
export * from './connections.ts';
export * from './documents.ts';
export * from './exports.ts';
export * from './hosted-sqlite.ts';
export * from './queries.ts';
export * from './schema-sync.ts';
