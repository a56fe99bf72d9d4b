import type { Health } from './types.ts';

/**
 * `/health` answers 503 with a body when D1 is down, so this reads the body on
 * both statuses instead of throwing; only a failed fetch means "offline".
 */
export async function fetchHealth(signal?: AbortSignal): Promise<Health> {
  const res = await fetch('/health', { headers: { Accept: 'application/json' }, signal, cache: 'no-store' });
  return (await res.json()) as Health;
}
