/**
 * A snapshot as a Markdown data dictionary: one section per table or view with its
 * comment, row estimate, columns (type, null, default, key flags, comment), keys,
 * indexes and the foreign keys that point at it.
 */
import type { SchemaSnapshot, TableInfo } from '../engines/schema-model.ts';

const KIND_TITLES: Record<TableInfo['kind'], string> = {
  table: 'table',
  partitioned_table: 'partitioned table',
  view: 'view',
  materialized_view: 'materialized view',
  foreign_table: 'foreign table',
};

/** Table cells may not contain pipes or line breaks. */
const cell = (v: string | null | undefined) => (v ? v.replaceAll('|', '\\|').replace(/\r?\n/g, ' ') : '');
const code = (v: string | null | undefined) => (v ? `\`${v.replaceAll('`', "'")}\`` : '');

export function toMarkdown(snapshot: SchemaSnapshot, title: string): string {
  const out: string[] = [`# ${title}: data dictionary`, ''];
  const tables = snapshot.tables.filter((t) => t.kind === 'table' || t.kind === 'partitioned_table').length;
  out.push(
    `Engine: ${snapshot.engine}${snapshot.serverVersion ? ` (${snapshot.serverVersion})` : ''}. ` +
      `${tables} tables, ${snapshot.tables.length - tables} views, ` +
      `${snapshot.tables.reduce((n, t) => n + t.columns.length, 0)} columns.`,
    '',
  );
  const incoming = new Map<string, string[]>();
  for (const t of snapshot.tables) {
    for (const fk of t.foreignKeys) {
      const key = `${fk.refSchema}.${fk.refTable}`;
      incoming.set(key, [...(incoming.get(key) ?? []), `${t.schema}.${t.name} (${fk.columns.join(', ')})`]);
    }
  }
  for (const ns of snapshot.namespaces) {
    const inSchema = snapshot.tables.filter((t) => t.schema === ns.name);
    out.push(`## ${ns.name}`, '');
    if (ns.comment) out.push(ns.comment, '');
    const enums = snapshot.enums.filter((e) => e.schema === ns.name);
    if (enums.length) {
      out.push('Enums:', '');
      for (const e of enums) out.push(`- ${code(e.name)}: ${e.values.map(code).join(', ')}`);
      out.push('');
    }
    for (const t of inSchema) {
      out.push(`### ${t.name}`, '');
      const facts = [KIND_TITLES[t.kind]];
      if (t.rowEstimate !== null)
        facts.push(`about ${Math.round(t.rowEstimate).toLocaleString('en-US')} rows`);
      if (t.partitionOf)
        facts.push(
          `partition of ${t.partitionOf.schema}.${t.partitionOf.name} ${t.partitionOf.bound ?? ''}`.trim(),
        );
      out.push(`*${facts.join(', ')}*`, '');
      if (t.comment) out.push(t.comment, '');
      const pk = new Set(t.primaryKey?.columns ?? []);
      const fkOf = new Map(
        t.foreignKeys.flatMap((fk) =>
          fk.columns.map((c) => [c, `${fk.refTable}.${fk.refColumns[fk.columns.indexOf(c)] ?? ''}`]),
        ),
      );
      out.push('| # | Column | Type | Null | Default | Key | Comment |', '|---|---|---|---|---|---|---|');
      for (const c of t.columns) {
        const keys = [pk.has(c.name) ? 'PK' : '', fkOf.has(c.name) ? `FK → ${fkOf.get(c.name)}` : ''].filter(
          Boolean,
        );
        const onUpdate = c.onUpdate ? ` on update ${c.onUpdate}` : '';
        const dflt = c.generated
          ? `generated: ${c.generated.expression}`
          : c.identity
            ? c.identity.replace('_', ' ')
            : c.default;
        out.push(
          `| ${c.position} | ${cell(code(c.name))} | ${cell(c.dataType)} | ${c.nullable ? 'yes' : 'no'} | ${cell(code(dflt ? `${dflt}${onUpdate}` : onUpdate.trim() || null))} | ${cell(keys.join(', '))} | ${cell(c.comment)} |`,
        );
      }
      out.push('');
      const notes: string[] = [];
      if (t.primaryKey)
        notes.push(
          `- Primary key${t.primaryKey.name ? ` ${code(t.primaryKey.name)}` : ''}: ${t.primaryKey.columns.map(code).join(', ')}`,
        );
      for (const fk of t.foreignKeys) {
        notes.push(
          `- Foreign key${fk.name ? ` ${code(fk.name)}` : ''}: (${fk.columns.map(code).join(', ')}) → ${fk.refSchema}.${fk.refTable} (${fk.refColumns.map(code).join(', ')}), on update ${fk.onUpdate.toLowerCase()}, on delete ${fk.onDelete.toLowerCase()}`,
        );
      }
      for (const u of t.uniques)
        notes.push(`- Unique${u.name ? ` ${code(u.name)}` : ''}: ${u.columns.map(code).join(', ')}`);
      for (const c of t.checks)
        notes.push(`- Check${c.name ? ` ${code(c.name)}` : ''}: ${code(c.expression)}`);
      for (const i of t.indexes) {
        const parts = i.parts.map((p) => code(p.column ?? p.expression)).join(', ');
        notes.push(
          `- Index ${code(i.name)}${i.unique ? ' (unique)' : ''}: ${parts}${i.predicate ? ` where ${code(i.predicate)}` : ''}`,
        );
      }
      for (const from of incoming.get(`${t.schema}.${t.name}`) ?? []) notes.push(`- Referenced by ${from}`);
      if (notes.length) out.push(...notes, '');
    }
  }
  return out.join('\n');
}
