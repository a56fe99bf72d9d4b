/**
 * Escapes `%`, `_` and the escape character itself for a LIKE pattern. Pair it with
 * `ESCAPE '\'` in the statement: SQLite has no default escape character.
 */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** A LIKE pattern matching `text` anywhere. */
export const containsPattern = (text: string): string => `%${escapeLike(text)}%`;
