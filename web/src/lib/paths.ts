import { useParams } from '@solidjs/router';

/**
 * Ids cross two URL layers: the app's own routes (`/query/:connectionId`) and the API's paths.
 * Ids such as `builtin:demo`, or names with `%`, `/`, spaces or non-Latin letters, must be
 * encoded exactly once on the way out and decoded exactly once on the way in. These two helpers
 * are the only places that do either, so no page can encode twice (the bug that sent the demo's
 * first query to `/connections/builtin%253Ademo`).
 */

/** A path from literal text and values; every interpolated value is one encoded segment. */
export function path(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += encodeURIComponent(String(value)) + (strings[i + 1] ?? '');
  });
  return out;
}

function decodeSegment(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    // A malformed escape (a hand-typed `%zz`) is taken literally rather than breaking the page.
    return raw;
  }
}

/**
 * The router hands params over as raw path segments; this reads them decoded, reactively
 * (each read goes through the router's own reactive params). Declare a param optional (`id?`)
 * unless the route always has it.
 */
export function useRouteParams<T extends Record<string, string | undefined>>(): T {
  const raw = useParams<Record<string, string>>();
  return new Proxy({} as T, {
    get: (_, key) => (typeof key === 'string' ? decodeSegment(raw[key]) : undefined),
  });
}
