import type { Connection } from '../api/types.ts';

/**
 * Where a person last worked (connection, table, tab), per user and organization, so every page
 * reopens there instead of asking again. Kept in localStorage: it is a convenience, never
 * authority — the server still decides what the user may open.
 */
export interface LastPlace {
  connectionId?: string;
  schema?: string;
  table?: string;
  tab?: string;
}

const keyOf = (userId: string, orgId: string) => `atrium.last.${userId}.${orgId}`;

export function readLastPlace(userId: string | undefined, orgId: string | undefined): LastPlace {
  if (!userId || !orgId) return {};
  try {
    const value: unknown = JSON.parse(localStorage.getItem(keyOf(userId, orgId)) ?? '{}');
    return typeof value === 'object' && value !== null ? (value as LastPlace) : {};
  } catch {
    // A corrupt entry only loses the convenience; start fresh.
    return {};
  }
}

export function rememberPlace(userId: string | undefined, orgId: string | undefined, place: LastPlace) {
  if (!userId || !orgId) return;
  // Switching connection forgets the table and tab, which belonged to the previous one.
  const previous = readLastPlace(userId, orgId);
  const next =
    place.connectionId && place.connectionId !== previous.connectionId ? place : { ...previous, ...place };
  localStorage.setItem(keyOf(userId, orgId), JSON.stringify(next));
}

/**
 * The connection a page opens on when its URL names none: the remembered one if it is still
 * usable, else the organization's only own connection, else the built-in demo (a newcomer's case).
 */
export function pickConnection(
  list: readonly Connection[],
  remembered: string | undefined,
): string | undefined {
  const usable = list.filter((c) => c.active !== false);
  if (remembered && usable.some((c) => c.id === remembered)) return remembered;
  const own = usable.filter((c) => !c.builtin);
  if (own.length === 1) return own[0]?.id;
  return usable.find((c) => c.builtin)?.id ?? (usable.length === 1 ? usable[0]?.id : undefined);
}

/** A first query that shows something worth seeing on the connection's engine. */
export function exampleQuery(connection: Connection | undefined): string {
  if (connection?.builtin) {
    return [
      '-- Top artists by number of albums in the Chinook demo',
      'SELECT ar.Name AS artist, count(*) AS albums',
      'FROM Artist ar JOIN Album al ON al.ArtistId = ar.ArtistId',
      'GROUP BY ar.Name',
      'ORDER BY albums DESC',
      'LIMIT 10;',
    ].join('\n');
  }
  return 'SELECT 1;';
}
