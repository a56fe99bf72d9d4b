/**
 * Atrium's own metadata in D1, one module per domain. drizzle-kit reads this
 * barrel to generate migrations/; routes import tables from here.
 */
export {};
