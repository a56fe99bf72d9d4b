/**
 * Where a document's room should live. A Durable Object stays where it was created, so the room
 * is created (documents/service.ts `createDocument`) with a location hint for the creating
 * member's region, read from `request.cf`. Members elsewhere reach it across that distance: one
 * trip per join and per frame, never per keystroke of their own (edits apply locally first).
 * A hint is only a preference; Cloudflare may place the object elsewhere.
 */

/** Middle-East countries Cloudflare's `me` region serves better than `apac` or `eeur`. */
const MIDDLE_EAST = new Set(['AE', 'BH', 'IL', 'IQ', 'IR', 'JO', 'KW', 'LB', 'OM', 'QA', 'SA', 'SY', 'YE']);

/** The hint for a request's origin, or undefined when `cf` says nothing (local dev, tests). */
export function locationHintOf(cf: unknown): DurableObjectLocationHint | undefined {
  if (typeof cf !== 'object' || cf === null) return undefined;
  const { continent, country, longitude } = cf as {
    continent?: string;
    country?: string;
    longitude?: string;
  };
  const lon = Number(longitude);
  if (country && MIDDLE_EAST.has(country)) return 'me';
  switch (continent) {
    case 'NA':
      // West of the 100th meridian is nearer the west coast's data centres.
      return Number.isFinite(lon) && lon < -100 ? 'wnam' : 'enam';
    case 'SA':
      return 'sam';
    case 'EU':
      return Number.isFinite(lon) && lon > 20 ? 'eeur' : 'weur';
    case 'AS':
      return 'apac';
    case 'OC':
      return 'oc';
    case 'AF':
      return 'afr';
    default:
      return undefined;
  }
}
