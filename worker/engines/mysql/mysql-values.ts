/**
 * MySQL values as the PlanetScale driver hands them over (binary strings, one char per byte,
 * with the field's type) → the contract, and parameters back.
 */
import { base64ToBytes, binary, float, integer, isBinaryValue, isoTimestamp } from '../values.ts';

function latin1Bytes(value: string): Uint8Array {
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i);
  return bytes;
}

const utf8 = new TextDecoder();
/** A byte ≥ 0x80: only then do the bytes need decoding as UTF-8 (ASCII reads the same either way). */
const NON_ASCII = /[\u0080-\uffff]/;

/** The value's bytes (one char each) as UTF-8 text; ASCII, most values, is returned as is. */
const utf8Text = (value: string) => (NON_ASCII.test(value) ? utf8.decode(latin1Bytes(value)) : value);
const MYSQL_INTEGRAL = new Set([
  'INT8',
  'INT16',
  'INT24',
  'INT32',
  'UINT8',
  'UINT16',
  'UINT24',
  'UINT32',
  'YEAR',
]);
const MYSQL_BINARY_CHARSET = 63;

/** The PlanetScale driver's `cast` hook, producing contract values. */
export function mysqlCast(field: { type: string; charset?: number | null }, value: string | null): unknown {
  if (value === null || value === undefined) return null;
  const type = field.type;
  if (type === 'INT64' || type === 'UINT64') return integer(value);
  if (MYSQL_INTEGRAL.has(type)) return Number.parseInt(value, 10);
  if (type === 'FLOAT32' || type === 'FLOAT64') return float(value);
  if (type === 'DECIMAL' || type === 'DATE' || type === 'TIME') return value;
  if (type === 'DATETIME' || type === 'TIMESTAMP') return isoTimestamp(value);
  if (type === 'JSON') return JSON.parse(utf8Text(value));
  if (type === 'BIT') {
    let n = 0n;
    for (const b of latin1Bytes(value)) n = (n << 8n) | BigInt(b);
    return integer(n.toString());
  }
  if (field.charset === MYSQL_BINARY_CHARSET) return binary(latin1Bytes(value));
  return utf8Text(value);
}

/** Parameters as the PlanetScale driver's formatter should inline them. */
export function toMysqlParam(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isBinaryValue(value)) return base64ToBytes(value.$binary);
  if (Array.isArray(value)) return value.map(toMysqlParam);
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}
