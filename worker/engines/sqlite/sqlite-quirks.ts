/**
 * What a SQLite table is beyond its columns, read from its CREATE text: the `WITHOUT ROWID` and
 * `STRICT` table options, a virtual table's module (`CREATE VIRTUAL TABLE docs USING fts5(…)`),
 * and the shadow tables a virtual table keeps its data in (`docs_data`, `docs_idx`…), which are
 * the module's storage, not tables anyone designed. `pragma_table_list` would say "shadow" and
 * "virtual" itself, but D1 does not promise every pragma, so the text and each module's
 * documented shadow suffixes are read instead.
 */
import type { SqliteTableInfo } from '../schema-model.ts';
import { tokenize } from './create-table-parser.ts';

/** The shadow tables each module creates, as `<virtual table>_<suffix>` (sqlite.org: fts5, fts3, rtree). */
const SHADOW_SUFFIXES: Record<string, readonly string[]> = {
  fts5: ['data', 'idx', 'content', 'docsize', 'config'],
  fts4: ['content', 'segments', 'segdir', 'docsize', 'stat'],
  fts3: ['content', 'segments', 'segdir', 'docsize', 'stat'],
  rtree: ['node', 'rowid', 'parent'],
  rtree_i32: ['node', 'rowid', 'parent'],
  geopoly: ['node', 'rowid', 'parent'],
};

/** The module of a `CREATE VIRTUAL TABLE … USING module(…)`, lower-cased; null for other text. */
export function virtualModule(sql: string): string | null {
  const tokens = tokenize(sql);
  if (tokens[1]?.value.toLowerCase() !== 'virtual') return null;
  const using = tokens.findIndex((t) => t.kind === 'word' && t.value.toLowerCase() === 'using');
  return using < 0 ? null : (tokens[using + 1]?.value.toLowerCase() ?? null);
}

/** `WITHOUT ROWID` and `STRICT` after the column list's closing parenthesis. */
function tableOptions(sql: string): SqliteTableInfo {
  const tokens = tokenize(sql);
  let depth = 0;
  let close = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === '(') depth++;
    else if (t.kind === ')' && --depth === 0) close = i;
  }
  const words = tokens.slice(close + 1).map((t) => t.value.toLowerCase());
  const info: SqliteTableInfo = {};
  if (words.some((w, i) => w === 'without' && words[i + 1] === 'rowid')) info.withoutRowid = true;
  if (words.includes('strict')) info.strict = true;
  return info;
}

/** Per table name, what is unusual about it; tables with nothing unusual are left out. */
export function sqliteTableInfo(objects: readonly { type: string; name: string; sql: string }[]) {
  const out = new Map<string, SqliteTableInfo>();
  const virtuals = new Map<string, string>();
  for (const o of objects) {
    if (o.type !== 'table') continue;
    const module = virtualModule(o.sql);
    if (module) {
      virtuals.set(o.name, module);
      out.set(o.name, { virtual: { module, definition: o.sql.trim().replace(/;$/, '') } });
    }
  }
  for (const o of objects) {
    if (o.type !== 'table' || virtuals.has(o.name)) continue;
    const owner = [...virtuals].find(([name, module]) =>
      (SHADOW_SUFFIXES[module] ?? []).some((suffix) => o.name === `${name}_${suffix}`),
    );
    const info: SqliteTableInfo = owner ? { shadowOf: owner[0] } : tableOptions(o.sql);
    if (Object.keys(info).length > 0) out.set(o.name, info);
  }
  return out;
}
