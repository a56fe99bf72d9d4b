import type { Role } from './roles.ts';

/** Who is calling, resolved once per request by the auth middleware. */
export interface AuthContext {
  userId: string;
  email: string;
  /** The organization the request acts in: the token's, or the session's active one. */
  orgId: string | null;
  /** The caller's effective role in `orgId` (for tokens: min(member role, token ceiling)). */
  role: Role | null;
  via: 'session' | 'token';
  tokenId?: string;
  /** Set for cookie sessions: lets a route act on the current session (switch org, sign out). */
  sessionId?: string;
  /** The user's display name, when the auth read had it (a room shows it as presence). */
  name?: string;
  /** For tokens: when the token expires (epoch ms), null when never. */
  tokenExpiresAt?: number | null;
}
