import { splitQuery } from 'dbgate-query-splitter';
import { dialectOf } from '../engines/dialects.ts';
import type { EngineName } from '../engines/engine.ts';

export interface SplitStatement {
  sql: string;
  /** 0-based offset of the statement in the original script, to map error positions back. */
  offset: number;
}

/**
 * Splits a script into statements the way the engine's own client would:
 * quotes, dollar-quotes, comments, `BEGIN ... END` bodies and MySQL `DELIMITER`
 * are respected (dbgate-query-splitter). Comment-only pieces are dropped; each
 * statement keeps its comments and its offset.
 */
export function splitStatements(script: string, engine: EngineName): SplitStatement[] {
  // ignoreComments is used only to learn where the non-comment text is; the
  // statement text is sliced from the original so comments and positions survive.
  const items = splitQuery(script, {
    ...dialectOf(engine).splitterOptions,
    ignoreComments: true,
    returnRichInfo: true,
  });
  const out: SplitStatement[] = [];
  for (const item of items) {
    if (typeof item === 'string') continue;
    if (!hasCode(item)) continue;
    const raw = script.slice(item.start.position, item.end.position);
    const lead = raw.length - raw.trimStart().length;
    out.push({ sql: raw.trim(), offset: item.start.position + lead });
  }
  return out;
}

type SplitItem = Exclude<ReturnType<typeof splitQuery>[number], string>;

function hasCode(item: SplitItem): boolean {
  const { trimStart, trimEnd } = item;
  return !trimStart || !trimEnd || trimStart.position < trimEnd.position;
}
