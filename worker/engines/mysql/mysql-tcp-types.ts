/**
 * MySQL wire field types → the Vitess type names PlanetScale reports (INT64, DECIMAL, DATETIME, JSON,
 * BLOB…), so a column reads the same whichever transport fetched it and one value mapping
 * (mysql-values.ts) serves both. Shared with the local PlanetScale stand-in (dev/endpoints).
 */

/** The parts of mysql2's `FieldPacket` the name depends on. */
export interface WireField {
  columnType?: number;
  flags?: number | string[];
  characterSet?: number;
  extendedFormat?: string;
}

const FLAG_UNSIGNED = 32;
const FLAG_ENUM = 256;
const FLAG_SET = 2048;
export const BINARY_CHARSET = 63;

/** MySQL wire type code → Vitess type name, as PlanetScale reports it. */
export function vitessType(field: WireField): string {
  const flags = typeof field.flags === 'number' ? field.flags : 0;
  const unsigned = (flags & FLAG_UNSIGNED) !== 0;
  const binary = field.characterSet === BINARY_CHARSET;
  if (field.extendedFormat === 'json') return 'JSON';
  if (flags & FLAG_ENUM) return 'ENUM';
  if (flags & FLAG_SET) return 'SET';
  switch (field.columnType) {
    case 0:
    case 246:
      return 'DECIMAL';
    case 1:
      return unsigned ? 'UINT8' : 'INT8';
    case 2:
      return unsigned ? 'UINT16' : 'INT16';
    case 9:
      return unsigned ? 'UINT24' : 'INT24';
    case 3:
      return unsigned ? 'UINT32' : 'INT32';
    case 8:
      return unsigned ? 'UINT64' : 'INT64';
    case 4:
      return 'FLOAT32';
    case 5:
      return 'FLOAT64';
    case 6:
      return 'NULL';
    case 7:
      return 'TIMESTAMP';
    case 10:
      return 'DATE';
    case 11:
      return 'TIME';
    case 12:
      return 'DATETIME';
    case 13:
      return 'YEAR';
    case 16:
      return 'BIT';
    case 245:
      return 'JSON';
    case 247:
      return 'ENUM';
    case 248:
      return 'SET';
    case 249:
    case 250:
    case 251:
    case 252:
      return binary ? 'BLOB' : 'TEXT';
    case 254:
      return binary ? 'BINARY' : 'CHAR';
    case 255:
      return 'GEOMETRY';
    default:
      return binary ? 'VARBINARY' : 'VARCHAR';
  }
}
