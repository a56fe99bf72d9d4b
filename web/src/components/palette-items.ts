/** What the command palette offers, and how typed text picks among it. */
export interface PaletteItem {
  id: string;
  /** A word shown before the label ("Connection", "Table", …) and matched with it. */
  kind: string;
  label: string;
  /** A quieter second line (engine, schema, SQL). */
  hint?: string;
  run(): void | Promise<void>;
}

/**
 * Items whose text holds every typed word (in any order, any case) come first, ranked by how
 * early the first word appears; then items holding the typed letters in order (`qchin` →
 * "Query Chinook"). An empty query keeps the given order.
 */
export function filterItems(items: readonly PaletteItem[], query: string, limit = 50): PaletteItem[] {
  const q = query.trim().toLowerCase();
  if (!q) return items.slice(0, limit);
  const words = q.split(/\s+/);
  const scored: { item: PaletteItem; score: number }[] = [];
  for (const item of items) {
    const text = `${item.kind} ${item.label} ${item.hint ?? ''}`.toLowerCase();
    if (words.every((w) => text.includes(w))) {
      const at = `${item.label}`.toLowerCase().indexOf(words[0] ?? '');
      scored.push({ item, score: at < 0 ? 500 : at });
    } else if (isSubsequence(q.replace(/\s+/g, ''), text)) {
      scored.push({ item, score: 1000 });
    }
  }
  return scored
    .sort((a, b) => a.score - b.score)
    .slice(0, limit)
    .map((s) => s.item);
}

function isSubsequence(needle: string, haystack: string): boolean {
  let i = 0;
  for (const ch of haystack) {
    if (ch === needle[i]) i++;
    if (i === needle.length) return true;
  }
  return needle.length === 0;
}
