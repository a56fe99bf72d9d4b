/**
 * The batched cold read (worker/connections/preload.ts) fills isolate caches only with what was
 * read after the last change made in this isolate: a read in flight across a change is dropped.
 */

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  connectionGeneration,
  forgetConnection,
  holdsConnection,
  type OpenedConnection,
  primeConnection,
} from '../../../worker/connections/connection-cache.ts';
import { connectionOfPath } from '../../../worker/connections/preload.ts';
import type { Env } from '../../../worker/env.ts';
import {
  holdsQuerySettings,
  primeQuerySettings,
  settingsGeneration,
  writeQuerySettings,
} from '../../../worker/queries/cache.ts';

const opened = { row: { id: 'c' }, stored: null } as unknown as OpenedConnection;

describe('batched cold reads', () => {
  it('prime a connection read after the last change, and drop one read across a change', () => {
    const org = `org-${crypto.randomUUID()}`;
    primeConnection(org, 'a', opened, connectionGeneration());
    expect(holdsConnection(org, 'a')).toBe(true);

    const readAt = connectionGeneration();
    forgetConnection(org, 'a'); // deactivated (or edited, deleted) in this isolate meanwhile
    primeConnection(org, 'a', opened, readAt);
    expect(holdsConnection(org, 'a')).toBe(false);
  });

  it('drop query settings read across a change of them in this isolate', async () => {
    const org = `org-${crypto.randomUUID()}`;
    const readAt = settingsGeneration();
    await writeQuerySettings(env as unknown as Env, org, 'a', { cacheEnabled: true, cacheTtlSeconds: 5 });
    // The write keeps its own value; the older read must not replace it (nor fill a fresh key).
    primeQuerySettings(org, 'b', undefined, readAt);
    expect(holdsQuerySettings(org, 'b')).toBe(false);
    primeQuerySettings(org, 'b', undefined, settingsGeneration());
    expect(holdsQuerySettings(org, 'b')).toBe(true);
  });

  it('know the connection a path names', () => {
    expect(connectionOfPath('/api/connections/abc/query')).toBe('abc');
    expect(connectionOfPath('/api/connections/builtin%3Ademo/schema')).toBe('builtin:demo');
    expect(connectionOfPath('/api/connections')).toBeUndefined();
    expect(connectionOfPath('/api/connections/%E0%A4%A/query')).toBeUndefined();
  });
});
