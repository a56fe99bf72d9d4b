import type { FilterOp } from '../api/rows.ts';

/** The filter builder's operator menu: the API's operators with the labels people read. */
export const FILTER_OPS: { op: FilterOp; label: string; takesValue: boolean }[] = [
  { op: 'eq', label: '=', takesValue: true },
  { op: 'ne', label: '≠', takesValue: true },
  { op: 'lt', label: '<', takesValue: true },
  { op: 'lte', label: '≤', takesValue: true },
  { op: 'gt', label: '>', takesValue: true },
  { op: 'gte', label: '≥', takesValue: true },
  { op: 'contains', label: 'contains', takesValue: true },
  { op: 'in', label: 'in', takesValue: true },
  { op: 'is_null', label: 'is null', takesValue: false },
  { op: 'not_null', label: 'is not null', takesValue: false },
];
