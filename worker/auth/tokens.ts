import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Env } from '../env.ts';
import { sha256Hex } from '../lib/hash.ts';
import type { MetaDb, Preload } from '../lib/preload.ts';
import { apiTokens, members, users } from '../meta/auth.ts';
import { authGeneration, cachedAuth, claimRefresh, forgetAuthKey, rememberAuth } from './auth-cache.ts';
import type { AuthContext } from './context.ts';
import { minRole, type Role } from './policy.ts';
import { newId, randomSecret } from './secrets.ts';

export const TOKEN_PREFIX = 'atr_';
/** last_used_at is rewritten at most this often per token, so busy scripts do not write D1 on every call. */
const LAST_USED_GRANULARITY_MS = 60_000;

export interface NewToken {
  id: string;
  /** The only time the secret exists outside the caller: returned once, stored as SHA-256. */
  token: string;
  prefix: string;
}

export async function issueToken(
  env: Env,
  input: { userId: string; orgId: string; name: string; ceiling: Role; expiresAt: Date | null },
): Promise<NewToken> {
  const secret = randomSecret(40);
  const token = `${TOKEN_PREFIX}${secret}`;
  const id = newId();
  const prefix = secret.slice(0, 6);
  await drizzle(env.DB)
    .insert(apiTokens)
    .values({
      id,
      organizationId: input.orgId,
      userId: input.userId,
      name: input.name,
      tokenHash: await sha256Hex(token),
      prefix,
      ceiling: input.ceiling,
      expiresAt: input.expiresAt,
    });
  return { id, token, prefix };
}

/**
 * The AuthContext a Bearer token grants, or null when it is unknown, revoked,
 * expired, or its owner has left the organization. The role is the lower of the
 * owner's current role and the token's ceiling, so demotions apply at once in the
 * isolate that made them, and within the auth cache's TTL elsewhere (auth-cache.ts).
 */
export async function authenticateToken(
  env: Env,
  token: string,
  later: (work: () => PromiseLike<unknown>) => void,
  preload?: Preload,
): Promise<AuthContext | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const hash = await sha256Hex(token);
  const key = `token:${hash}`;
  const cached = cachedAuth(key);
  if (cached) {
    // Re-read after the response once the entry is half its TTL old (auth-cache.ts).
    if (claimRefresh(key)) {
      later(async () => {
        if (!(await loadToken(env, hash, later))) forgetAuthKey(key);
      });
    }
    return cached;
  }
  return loadToken(env, hash, later, preload);
}

/** The token's row with its owner's email and membership: one statement, batchable. */
function tokenQuery(db: MetaDb, hash: string) {
  return db
    .select({
      id: apiTokens.id,
      orgId: apiTokens.organizationId,
      userId: apiTokens.userId,
      ceiling: apiTokens.ceiling,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      email: users.email,
      name: users.name,
      role: members.role,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(
      members,
      and(eq(members.organizationId, apiTokens.organizationId), eq(members.userId, apiTokens.userId)),
    )
    .where(eq(apiTokens.tokenHash, hash))
    .limit(1);
}

/** The token's organization, as SQL a statement in the same batch can compare with. */
const tokenOrg = (hash: string) =>
  sql`(select ${apiTokens.organizationId} from ${apiTokens} where ${apiTokens.tokenHash} = ${hash})`;

/**
 * Reads the token's row (with its owner's membership) from D1 and remembers what it grants. With
 * a `preload`, the connection the request names is read in the same batch (one round trip, which
 * a replica can serve) and fills the isolate's caches once the token is known to be valid.
 */
async function loadToken(
  env: Env,
  hash: string,
  later: (work: () => PromiseLike<unknown>) => void,
  preload?: Preload,
): Promise<AuthContext | null> {
  const readAt = authGeneration();
  const db = drizzle(env.DB);
  let row: Awaited<ReturnType<typeof tokenQuery>>[number] | undefined;
  let extra: readonly unknown[] = [];
  if (preload) {
    const [token, ...rest] = await db.batch([tokenQuery(db, hash), ...preload.queries(db, tokenOrg(hash))]);
    row = token[0];
    extra = rest;
  } else {
    row = (await tokenQuery(db, hash))[0];
  }
  const now = Date.now();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    const id = row.id;
    later(() =>
      db
        .update(apiTokens)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiTokens.id, id)),
    );
  }
  const auth: AuthContext = {
    userId: row.userId,
    email: row.email,
    orgId: row.orgId,
    role: minRole(row.role, row.ceiling),
    via: 'token',
    tokenId: row.id,
    name: row.name,
    tokenExpiresAt: row.expiresAt?.getTime() ?? null,
  };
  rememberAuth(`token:${hash}`, auth, row.expiresAt?.getTime(), readAt);
  if (preload) await preload.prime(env, extra, row.orgId);
  return auth;
}
