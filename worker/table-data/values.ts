import type { LiveColumn } from './catalog.ts';

/** A JSON value as the API carries it (see worker/engines/engine.ts for the conventions). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const isBinary = (v: unknown): v is { $binary: string } =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as { $binary?: unknown }).$binary === 'string';

/**
 * Turns an API value into a driver parameter: `{ $binary }` becomes bytes,
 * other objects and arrays become JSON text (json/jsonb columns and Postgres
 * arrays accept it), scalars pass through.
 */
export function toParam(value: unknown): unknown {
  if (isBinary(value)) return Uint8Array.from(atob(value.$binary), (ch) => ch.charCodeAt(0));
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

/**
 * Types whose values cannot be compared for equality as the API returns them
 * (json has no `=` in Postgres; floats round-trip through decimal text inexactly;
 * spatial and binary values are not compared as text). The "row changed
 * underneath" check skips these columns and relies on the others.
 */
const UNCOMPARABLE =
  /^(json|jsonb|xml|point|line|lseg|box|path|polygon|circle|geometry|geography|real|float|float4|float8|double|double precision|bytea|blob|longblob|mediumblob|tinyblob|binary|varbinary|tsvector)\b/i;

export function comparable(column: LiveColumn, value: unknown): boolean {
  return !UNCOMPARABLE.test(column.type) && !isBinary(value) && (value === null || typeof value !== 'object');
}

const UNORDERABLE = /^(json|xml|point|line|lseg|box|path|polygon|circle|geometry|geography|tsvector)\b/i;

/** Types that have no ordering (Postgres json, geometric types), left out of ORDER BY. */
export const orderable = (column: LiveColumn): boolean => !UNORDERABLE.test(column.type);
