import { z } from 'zod';
import { MAX_PREVIEW_ROWS, type RunEvent } from './protocol.ts';

/**
 * Runtime validation of what reaches a room from outside: JSON frames from clients and
 * run events published over RPC. The shapes mirror the types in protocol.ts.
 */

const id = z.string().min(1).max(128);

const RunResultSummarySchema = z.object({
  columns: z.array(z.string().max(256)).max(1000),
  rowCount: z.number().int().nonnegative(),
  rows: z.array(z.array(z.unknown())).max(MAX_PREVIEW_ROWS).optional(),
  truncated: z.boolean().optional(),
  durationMs: z.number().nonnegative().optional(),
  handle: z.string().max(256).optional(),
});

const RunErrorSchema = z.object({ code: z.string().max(64), message: z.string().max(2000) });

// A client's own `runId` or `startedAt` (older clients send them) is stripped: the room mints both.
const ClientRunSchema = z.object({ type: z.literal('run'), blockId: id, requestId: id.optional() });

const ClientRunResultSchema = z.object({
  type: z.literal('run-result'),
  blockId: id.optional(),
  runId: id,
  result: RunResultSummarySchema.optional(),
  error: RunErrorSchema.optional(),
});

export const ClientMessageSchema = z.discriminatedUnion('type', [ClientRunSchema, ClientRunResultSchema]);

export type ClientRunMessage = z.output<typeof ClientRunSchema>;
export type ClientRunResultMessage = z.output<typeof ClientRunResultSchema>;

const ActorSchema = z.object({ userId: id, name: z.string().max(256) });

/** What the Worker's query endpoint passes to `DocumentRoom#publishRun`. */
export const PublishRunSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-started'),
    runId: id,
    blockId: id,
    by: ActorSchema,
    at: z.number().int().nonnegative().optional(),
  }),
  z.object({
    type: z.literal('run-finished'),
    runId: id,
    blockId: id,
    by: ActorSchema,
    at: z.number().int().nonnegative().optional(),
    startedAt: z.number().int().nonnegative().optional(),
    result: RunResultSummarySchema.optional(),
    error: RunErrorSchema.optional(),
  }),
]);

export type PublishRunInput = z.input<typeof PublishRunSchema>;

/** A run event from the Worker (`publishRun`), stamped now unless it says when; null if malformed. */
export function runEventOf(input: PublishRunInput): RunEvent | null {
  const parsed = PublishRunSchema.safeParse(input);
  return parsed.success ? { ...parsed.data, at: parsed.data.at ?? Date.now() } : null;
}
