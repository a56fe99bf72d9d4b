import { ApiError } from '../errors.ts';

/** A held slot; `release` is idempotent. */
export interface QuerySlot {
  release(): void;
}

/** Every connection of one organization together may hold this many times the per-connection cap. */
const ORG_CAP_FACTOR = 4;

interface Lease {
  orgId: string;
  key: string;
  expiresAt: number;
}

/**
 * Concurrent queries held in this isolate, per (organization, connection) and per organization.
 * An execution that never calls `release` (a stream its reader abandoned) stops counting at its
 * lease's expiry, so a leak costs at most one query timeout.
 *
 * What this gives up, knowingly: the counter is per isolate, not global. Cloudflare may run
 * several isolates of the Worker (one per colo at least, more under load), and each counts
 * alone, so one organization can run `cap` queries per connection in each of them. That bounds
 * what one browser tab or script does to a database (its requests land in one isolate) without
 * a D1 write on every query; a global, exact cap would need a Durable Object per connection on
 * the hot path, which is what this replaced. The per-organization cap bounds the fan-out of one
 * organization over many connections in the same way.
 */
const leases = new Map<symbol, Lease>();

const slotKey = (orgId: string, connectionId: string) => JSON.stringify([orgId, connectionId]);

function held(now: number, match: (lease: Lease) => boolean): number {
  let n = 0;
  for (const [id, lease] of leases) {
    if (lease.expiresAt <= now) leases.delete(id);
    else if (match(lease)) n++;
  }
  return n;
}

/** Slots held now in this isolate for one (organization, connection); tests wait on it. */
export function heldSlots(orgId: string, connectionId: string): number {
  const key = slotKey(orgId, connectionId);
  return held(Date.now(), (l) => l.key === key);
}

const busy = (where: string, limit: number) =>
  new ApiError(429, 'too_many_concurrent_queries', `Too many queries are running ${where}`, {
    headers: { 'Retry-After': '1' },
    details: { retryAfter: 1, limit },
  });

/**
 * Takes one of `cap` concurrent-query slots of a connection in an organization, or
 * answers 429. Slots are counted per (organization, connection): a built-in is one
 * id for every organization, and one organization must not starve the others.
 */
export function acquireSlot(
  orgId: string,
  connectionId: string,
  options: { cap: number; leaseMs: number },
): QuerySlot {
  const now = Date.now();
  const key = slotKey(orgId, connectionId);
  let onConnection = 0;
  let inOrg = 0;
  held(now, (l) => {
    if (l.orgId !== orgId) return false;
    inOrg++;
    if (l.key === key) onConnection++;
    return true;
  });
  if (onConnection >= options.cap) throw busy('on this connection', options.cap);
  if (inOrg >= options.cap * ORG_CAP_FACTOR) throw busy('in this organization', options.cap * ORG_CAP_FACTOR);
  const id = Symbol(key);
  leases.set(id, { orgId, key, expiresAt: now + options.leaseMs });
  return { release: () => void leases.delete(id) };
}
