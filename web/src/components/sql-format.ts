/**
 * Loaded on demand from the editor's Format button. Importing the dialects by
 * name (not `format()`) lets the bundler drop the other dozen sql-formatter dialects.
 */
import { formatDialect, mysql, postgresql, sql, sqlite } from 'sql-formatter';
import type { EngineName } from '../api/types.ts';

const DIALECTS = { postgres: postgresql, mysql, sqlite } as const;

/** Standard SQL when the engine is not known yet. */
export function formatSql(text: string, engine: EngineName | undefined): string {
  const dialect = engine ? DIALECTS[engine] : sql;
  return formatDialect(text, { dialect, keywordCase: 'upper', tabWidth: 2 });
}
