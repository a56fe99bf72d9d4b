/**
 * The schema objects a snapshot does not store — extensions, composite and range types,
 * routines, triggers and events — read live from the database when DDL is exported, as
 * each engine's own catalog prints them (`pg_get_functiondef`, `SHOW CREATE TRIGGER`…).
 */
import type { Engine } from './engine.ts';
import { readMysqlObjects } from './mysql/schema-objects.ts';
import { readPostgresObjects } from './postgres/schema-objects.ts';
import { readSqliteObjects } from './sqlite/schema-objects.ts';

export interface ExtensionInfo {
  name: string;
  /** The schema its objects live in. */
  schema: string;
  version: string;
}

/** A statement that creates one object, with where it belongs in a script. */
export interface ObjectDefinition {
  schema: string;
  name: string;
  kind: 'type' | 'function' | 'procedure' | 'aggregate' | 'trigger' | 'event';
  /** The complete CREATE statement, without a trailing `;`; null when it cannot be exported. */
  definition: string | null;
  /** Why `definition` is null, for the comment the export leaves in its place. */
  reason?: string;
  /**
   * True when creating it needs the tables first: a routine whose signature names a
   * table's row type, or any trigger. Others go before the tables, so column defaults
   * and CHECK constraints may call them.
   */
  afterTables: boolean;
}

export interface SchemaObjects {
  extensions: ExtensionInfo[];
  /** Types, routines, triggers and events in an order that creates each after what it needs. */
  objects: ObjectDefinition[];
}

/** Reads every object of the connected database that a snapshot leaves out. */
export function readSchemaObjects(engine: Engine): Promise<SchemaObjects> {
  switch (engine.name) {
    case 'postgres':
      return readPostgresObjects(engine);
    case 'mysql':
      return readMysqlObjects(engine);
    case 'sqlite':
      return readSqliteObjects(engine);
    default: {
      const unknown: never = engine.name;
      throw new Error(`No schema object reader for engine ${String(unknown)}`);
    }
  }
}
