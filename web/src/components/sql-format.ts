/**
 * Loaded on demand from the editor's Format button. Importing the dialects by
 * name (not `format()`) lets the bundler drop the other dozen sql-formatter dialects.
 */
import { formatDialect, mysql, postgresql, sqlite } from 'sql-formatter';
import type { EngineName } from '../api/types.ts';

const DIALECTS = { postgres: postgresql, mysql, sqlite } as const;

export function formatSql(text: string, engine: EngineName): string {
  return formatDialect(text, { dialect: DIALECTS[engine], keywordCase: 'upper', tabWidth: 2 });
}
