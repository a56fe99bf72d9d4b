/**
 * The runnable blocks of a document's SQL: paragraphs separated by blank lines.
 * A block's id is its ordinal, so everyone in the room names a block the same way
 * while they see the same text.
 */
export interface SqlBlock {
  id: string;
  index: number;
  from: number;
  to: number;
  text: string;
  /** A leading `-- title` comment, or the first line. */
  title: string;
}

export function splitBlocks(text: string): SqlBlock[] {
  const blocks: SqlBlock[] = [];
  const re = /\n[ \t]*\n/g;
  let start = 0;
  const push = (from: number, to: number) => {
    const raw = text.slice(from, to);
    const trimmed = raw.trim();
    if (!trimmed) return;
    const offset = from + raw.indexOf(trimmed);
    const first = trimmed.split('\n')[0]!;
    blocks.push({
      id: `block-${blocks.length + 1}`,
      index: blocks.length,
      from: offset,
      to: offset + trimmed.length,
      text: trimmed,
      title: first.startsWith('--') ? first.replace(/^--\s*/, '') : first.slice(0, 60),
    });
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    push(start, m.index);
    start = m.index + m[0].length;
  }
  push(start, text.length);
  return blocks;
}
