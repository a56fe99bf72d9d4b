import { DurableObject } from 'cloudflare:workers';

/** Placeholder until the accounts issue lands; see worker/auth. */
export class RateLimiter extends DurableObject {}
