import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { z } from 'zod';
import type { SqlDialect } from '../engines/engine.ts';
import type { AnyDB } from '../engines/sql-builder.ts';
import { col } from '../engines/sql-builder.ts';
import { columnOf, type LiveTable } from './catalog.ts';
import { toParam } from './values.ts';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const FILTER_OPS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'contains',
  'in',
  'is_null',
  'not_null',
] as const;

export const FilterSchema = z.discriminatedUnion('op', [
  z.object({ column: z.string().min(1), op: z.enum(['eq', 'ne', 'lt', 'lte', 'gt', 'gte']), value: Scalar }),
  z.object({ column: z.string().min(1), op: z.literal('contains'), value: z.string() }),
  z.object({ column: z.string().min(1), op: z.literal('in'), values: z.array(Scalar).min(1).max(1000) }),
  z.object({ column: z.string().min(1), op: z.enum(['is_null', 'not_null']) }),
]);
export type Filter = z.infer<typeof FilterSchema>;

/** Filters travel in the query string as one JSON array (`?filters=[...]`), ANDed together. */
export const FiltersParam = z
  .string()
  .max(64 * 1024)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'filters must be a JSON array' });
      return z.NEVER;
    }
  })
  .pipe(z.array(FilterSchema).max(50));

const COMPARE = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

type EB = ExpressionBuilder<AnyDB, string>;

/**
 * One filter as a Kysely expression: the column is a quoted identifier, the
 * value a parameter. `contains` is an exact, case-sensitive substring match on
 * the column's text form in every engine (LIKE wildcards in the value are
 * escaped; MySQL compares in a binary collation so accents and case count).
 */
export function filterExpression(
  eb: EB,
  dialect: SqlDialect,
  info: LiveTable,
  filter: Filter,
): Expression<SqlBool> {
  columnOf(info, filter.column);
  const c = col(filter.column);
  switch (filter.op) {
    case 'is_null':
      return eb(c, 'is', null);
    case 'not_null':
      return eb(c, 'is not', null);
    case 'in':
      return eb(c, 'in', filter.values.map(toParam));
    case 'contains':
      return dialect.containsText(c, filter.value);
    default:
      return eb(c, COMPARE[filter.op], toParam(filter.value));
  }
}
