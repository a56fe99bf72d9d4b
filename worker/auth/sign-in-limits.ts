/**
 * How many password guesses an account takes, in three tiers (RateLimiter Durable Object):
 * - per client: all sign-in attempts from one address, whatever the account;
 * - per account and client: failed attempts, small and quick (5 per 15 minutes), so one stranger
 *   gets few guesses and locks out only themselves;
 * - per account: failed attempts from everywhere, large and slow (100 per 15 minutes). Only a
 *   guesser spread over many addresses reaches it, and then everyone backs off until the window
 *   ends, which bounds a distributed attack without letting one address lock the owner out.
 * Failures are counted by taking a slot before the password is checked and giving it back on
 * success, so parallel guesses cannot all pass the check before any of them is counted.
 */
import type { Env } from '../env.ts';
import { enforceRateLimit, limitFromVar } from '../middleware/rate-limit.ts';

/** Defaults; each is overridable by a `RATE_LIMIT_*` var written "n/seconds". */
const LIMITS = {
  client: (env: Env) => limitFromVar(env.RATE_LIMIT_SIGN_IN_IP, { limit: 30, windowSeconds: 60 }),
  accountClient: (env: Env) =>
    limitFromVar(env.RATE_LIMIT_SIGN_IN_ACCOUNT_IP, { limit: 5, windowSeconds: 900 }),
  account: (env: Env) => limitFromVar(env.RATE_LIMIT_SIGN_IN_ACCOUNT, { limit: 100, windowSeconds: 900 }),
};

/**
 * The unit one client controls: an IPv4 address, or an IPv6 /64 (a single host is usually
 * given a whole /64, so counting its addresses apart would give it 2^64 tries).
 */
export function clientKey(ip: string): string {
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (v4) return v4[1]!;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros =
    tail === undefined ? [] : Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  const groups = [...left, ...zeros, ...right].slice(0, 4).map((g) => g.replace(/^0+(?=.)/, ''));
  return `${groups.join(':')}::/64`;
}

const refund = (env: Env, key: string) => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key)).refund();

/**
 * Counts one sign-in attempt against every tier, throwing the 429 when any is spent. Call the
 * returned `succeeded` once the password proved right, so only failures stay counted.
 * `ip` is null off Cloudflare (tests, `wrangler dev`): those callers share one client.
 */
export async function admitSignIn(
  env: Env,
  ip: string | null,
  email: string,
): Promise<{ succeeded(): Promise<void> }> {
  const client = ip ? clientKey(ip) : 'unknown';
  if (ip) await enforceRateLimit(env, `sign-in:ip:${client}`, LIMITS.client(env));
  const accountClient = `sign-in:account-ip:${email}:${client}`;
  const account = `sign-in:account:${email}`;
  await enforceRateLimit(env, accountClient, LIMITS.accountClient(env));
  try {
    await enforceRateLimit(env, account, LIMITS.account(env));
  } catch (err) {
    // Refused before the password was checked: not one of this client's failures.
    await refund(env, accountClient);
    throw err;
  }
  return {
    async succeeded() {
      await Promise.all([refund(env, accountClient), refund(env, account)]);
    },
  };
}
