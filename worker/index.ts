import { createApp } from './app.ts';
import type { Env } from './env.ts';

export { DocumentRoom } from '../durable-objects/document-room.ts';
export { HostedSqlite } from '../durable-objects/hosted-sqlite.ts';
export { RateLimiter } from '../durable-objects/rate-limiter.ts';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
