/**
 * PostgreSQL values in text format (as the Neon driver receives them) → the contract, and
 * parameters back; type names by OID.
 */
import {
  type BinaryValue,
  base64ToBytes,
  binary,
  float,
  integer,
  isBinaryValue,
  isoTimestamp,
} from '../values.ts';

const PG_TYPE_NAMES: Record<number, string> = {
  16: 'bool',
  17: 'bytea',
  18: 'char',
  19: 'name',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  26: 'oid',
  114: 'json',
  142: 'xml',
  650: 'cidr',
  700: 'float4',
  701: 'float8',
  790: 'money',
  829: 'macaddr',
  869: 'inet',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1266: 'timetz',
  1560: 'bit',
  1562: 'varbit',
  1700: 'numeric',
  2249: 'record',
  2278: 'void',
  2950: 'uuid',
  3614: 'tsvector',
  3802: 'jsonb',
  // arrays
  199: '_json',
  1000: '_bool',
  1001: '_bytea',
  1005: '_int2',
  1007: '_int4',
  1009: '_text',
  1014: '_bpchar',
  1015: '_varchar',
  1016: '_int8',
  1021: '_float4',
  1022: '_float8',
  1115: '_timestamp',
  1182: '_date',
  1183: '_time',
  1185: '_timestamptz',
  1231: '_numeric',
  2951: '_uuid',
  3807: '_jsonb',
};

const PG_ARRAY_ELEMENT: Record<number, number> = {
  199: 114,
  1000: 16,
  1001: 17,
  1005: 21,
  1007: 23,
  1009: 25,
  1014: 1042,
  1015: 1043,
  1016: 20,
  1021: 700,
  1022: 701,
  1115: 1114,
  1182: 1082,
  1183: 1083,
  1185: 1184,
  1231: 1700,
  2951: 2950,
  3807: 3802,
};

/** What the catalog says about a non-builtin type (see `PG_TYPE_LOOKUP`). */
export type PgTypeInfo = { name: string; arrayElement: number | null };

/**
 * Names user types (enums, arrays of enums or domains, extension types) whose OIDs differ per
 * database; `arrayElement` is the element's base type so array texts can be parsed afterwards.
 * Domain columns need no lookup: RowDescription already reports a domain as its base type.
 */
export const PG_TYPE_LOOKUP = `select t.oid::int8, format_type(t.oid, null),
  case when t.typcategory = 'A' then coalesce(nullif(e.typbasetype, 0), e.oid)::int8 end
  from pg_type t left join pg_type e on e.oid = t.typelem where t.oid = any($1::oid[])`;

/** True for OIDs `pgTypeName` cannot name without asking the catalog. */
export function isBuiltinPgType(oid: number): boolean {
  return PG_TYPE_NAMES[oid] !== undefined;
}

/** Built-in type names by OID; others from `resolved` (the catalog), else `oid:N`. */
export function pgTypeName(oid: number, resolved?: ReadonlyMap<number, PgTypeInfo>): string {
  return PG_TYPE_NAMES[oid] ?? resolved?.get(oid)?.name ?? `oid:${oid}`;
}

function pgBytea(text: string): BinaryValue {
  // Hex format (`\x...`), the server default since PostgreSQL 9.0.
  const hex = text.startsWith('\\x') ? text.slice(2) : '';
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return binary(bytes);
}

function pgScalar(oid: number, text: string): unknown {
  switch (oid) {
    case 16:
      return text === 't';
    case 17:
      return pgBytea(text);
    case 20:
    case 21:
    case 23:
    case 26:
      return integer(text);
    case 700:
    case 701:
      return float(text);
    case 114:
    case 3802:
      return JSON.parse(text);
    case 1114:
    case 1184:
      return isoTimestamp(text);
    default:
      return text;
  }
}

/** Parses a PostgreSQL array literal (`{1,"a b",NULL,{2,3}}`) into nested arrays of element texts. */
export function parsePgArray(text: string, element: (text: string) => unknown): unknown[] {
  let i = text.startsWith('[') ? text.indexOf('=') + 1 : 0; // skip `[0:1]=` dimension prefixes
  function parseLevel(): unknown[] {
    const out: unknown[] = [];
    i++; // '{'
    while (i < text.length) {
      const c = text[i];
      if (c === '}') {
        i++;
        return out;
      }
      if (c === ',') {
        i++;
        continue;
      }
      if (c === '{') {
        out.push(parseLevel());
        continue;
      }
      if (c === '"') {
        let value = '';
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          value += text[i];
          i++;
        }
        i++;
        out.push(element(value));
        continue;
      }
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '}') end++;
      const raw = text.slice(i, end);
      out.push(raw === 'NULL' ? null : element(raw));
      i = end;
    }
    return out;
  }
  return parseLevel();
}

/** Parser for one column's text values; the Neon driver calls it instead of its own. */
export function pgParser(oid: number): (text: string) => unknown {
  const element = PG_ARRAY_ELEMENT[oid];
  if (element !== undefined) return (text) => parsePgArray(text, (t) => pgScalar(element, t));
  return (text) => pgScalar(oid, text);
}

/**
 * Arrays of user types arrive as text (their OIDs are unknown when the driver picks parsers);
 * once the catalog has named them, this parses them like built-in arrays.
 */
export function pgUserArray(text: unknown, elementOid: number): unknown {
  return typeof text === 'string' ? parsePgArray(text, (t) => pgScalar(elementOid, t)) : text;
}

/** Parameters as the Postgres driver should send them. */
export function toPgParam(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isBinaryValue(value)) {
    const bytes = base64ToBytes(value.$binary);
    return `\\x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toPgParam);
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}
