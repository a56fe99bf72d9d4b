/** SQLite values from every transport → the contract, and parameters back. */
import { base64ToBytes, binary, integer, isBinaryValue } from '../values.ts';

/**
 * D1 returns numbers, strings, null, and blobs as byte arrays or ArrayBuffers (as JSON arrays over
 * its REST API); libSQL returns integers as bigints (asked for, so none is rounded) and blobs as
 * ArrayBuffers.
 */
export function fromSqlite(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return binary(new Uint8Array(value));
  if (ArrayBuffer.isView(value))
    return binary(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (Array.isArray(value)) return binary(Uint8Array.from(value as number[]));
  if (typeof value === 'bigint') return integer(value.toString());
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

export function toD1Param(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isBinaryValue(value)) return base64ToBytes(value.$binary).buffer;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}
