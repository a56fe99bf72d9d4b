import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Env } from '../env.ts';
import { sha256Hex } from '../lib/hash.ts';
import { apiTokens, members, users } from '../meta/auth.ts';
import { cachedAuth, rememberAuth } from './auth-cache.ts';
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
  touch: (work: Promise<unknown>) => void,
): Promise<AuthContext | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const hash = await sha256Hex(token);
  const cached = cachedAuth(`token:${hash}`);
  if (cached) return cached;
  const db = drizzle(env.DB);
  const row = await db
    .select({
      id: apiTokens.id,
      orgId: apiTokens.organizationId,
      userId: apiTokens.userId,
      ceiling: apiTokens.ceiling,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      email: users.email,
      role: members.role,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(
      members,
      and(eq(members.organizationId, apiTokens.organizationId), eq(members.userId, apiTokens.userId)),
    )
    .where(eq(apiTokens.tokenHash, hash))
    .get();
  const now = Date.now();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    touch(
      db
        .update(apiTokens)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiTokens.id, row.id))
        .run(),
    );
  }
  const auth: AuthContext = {
    userId: row.userId,
    email: row.email,
    orgId: row.orgId,
    role: minRole(row.role, row.ceiling),
    via: 'token',
    tokenId: row.id,
  };
  rememberAuth(`token:${hash}`, auth, row.expiresAt?.getTime());
  return auth;
}
