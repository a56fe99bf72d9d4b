import type { AuthContext } from '../auth/context.ts';
import { forbidden, unauthorized } from '../errors.ts';

/**
 * For actions across organizations (create one, switch, accept an invitation): a token
 * is scoped to one organization, so only a cookie session may take them.
 */
export function sessionOnly(auth: AuthContext | undefined): AuthContext & { sessionId: string } {
  if (!auth) throw unauthorized();
  if (auth.via !== 'session' || !auth.sessionId) {
    throw forbidden('API tokens are scoped to one organization; sign in to do this');
  }
  return auth as AuthContext & { sessionId: string };
}
