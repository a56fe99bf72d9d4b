/**
 * fast-check arbitraries for hostile frames on a document room's socket: random bytes,
 * y-protocol headers over garbage, truncated real sync/awareness messages, awareness states
 * full of hostile strings or over their cap, custom (JSON) messages the room does not know,
 * runs and run results it never granted, oversized frames. Each frame says what the room
 * must do with it: keep the socket open, or close it with a documented code.
 */
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CloseCode, CUSTOM_MESSAGE_PREFIX, ROOM_LIMITS } from '../../../durable-objects/protocol.ts';
import { HOSTILE_STRINGS } from './generators.ts';

export interface HostileFrame {
  /** What kind of hostility, for the per-kind count. */
  kind: string;
  data: Uint8Array | string;
  /** The close code the room must answer with, or null when the socket must stay open. */
  closes: number | null;
}

const frame = (kind: string, data: Uint8Array | string, closes: number | null = null): HostileFrame => ({
  kind,
  data,
  closes,
});

function message(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Real, well-formed messages of every y-protocol kind, to cut short or corrupt. */
function realMessages(text: string): Uint8Array[] {
  const doc = new Y.Doc();
  doc.getText('sql').insert(0, text);
  doc.getArray('blocks').insert(0, [new Y.Map()]);
  const update = Y.encodeStateAsUpdate(doc);
  const awareness = new awarenessProtocol.Awareness(doc);
  clearInterval((awareness as unknown as { _checkInterval: ReturnType<typeof setInterval> })._checkInterval);
  awareness.setLocalState({ user: { name: text, color: '#123456' }, cursor: { anchor: 1, head: 2 } });
  const out = [
    message((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeSyncStep1(e, doc);
    }),
    message((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeSyncStep2(e, doc);
    }),
    message((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeUpdate(e, update);
    }),
    message((e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]));
    }),
  ];
  awareness.destroy();
  doc.destroy();
  return out;
}

const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 200 }));

/** A y-protocol header (message type, sync step) in front of garbage. */
const headerOverGarbage = fc
  .tuple(fc.constantFrom([0, 0], [0, 1], [0, 2], [0, 3], [1], [2], [3], [127], [255, 255, 255]), bytes(300))
  .map(([head, rest]) => frame(`header ${head.join(',')} + garbage`, Uint8Array.from([...head, ...rest])));

/** A real message cut at a random point, or with a byte flipped. */
const mangledReal = fc
  .tuple(hostileString, fc.nat(3), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
  .map(([text, which, at, value, truncate]) => {
    const real = realMessages(text)[which] as Uint8Array;
    const cut = at % Math.max(1, real.length);
    if (truncate)
      return frame(`truncated ${['step1', 'step2', 'update', 'awareness'][which]}`, real.slice(0, cut));
    const flipped = real.slice();
    flipped[cut] = value;
    return frame(`corrupted ${['step1', 'step2', 'update', 'awareness'][which]}`, flipped);
  });

/** Awareness states that claim odd identities and shapes (relayed or refused, never fatal). */
const awarenessState = fc
  .tuple(fc.nat(), fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileString, fc.constant(null)))
  .map(([clientId, clock, state]) =>
    frame(
      'awareness claim',
      message((e) => {
        encoding.writeVarUint(e, 1);
        const inner = encoding.createEncoder();
        encoding.writeVarUint(inner, 1);
        encoding.writeVarUint(inner, clientId);
        encoding.writeVarUint(inner, clock);
        encoding.writeVarString(inner, JSON.stringify(state) ?? 'null');
        encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
      }),
    ),
  );

/** Presence over its 8 KB cap: refused with a notice, the socket stays. */
const awarenessOversized = fc.integer({ min: 1, max: 4000 }).map((extra) =>
  frame(
    'awareness over cap',
    message((e) => {
      encoding.writeVarUint(e, 1);
      const inner = encoding.createEncoder();
      encoding.writeVarUint(inner, 1);
      encoding.writeVarUint(inner, 7);
      encoding.writeVarUint(inner, 1);
      encoding.writeVarString(
        inner,
        JSON.stringify({ user: { name: 'x'.repeat(ROOM_LIMITS.maxAwarenessBytes + extra) } }),
      );
      encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
    }),
  ),
);

const custom = (value: unknown) => `${CUSTOM_MESSAGE_PREFIX}${JSON.stringify(value)}`;

/** Custom JSON frames: unknown types, malformed JSON, runs for odd blocks, results never granted. */
const customMessage = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => frame('custom: any JSON', custom(v))),
  hostileString.map((s) => frame('custom: not JSON', `${CUSTOM_MESSAGE_PREFIX}${s}`)),
  hostileString.map((s) => frame('text without prefix', s)),
  fc
    .record({
      blockId: fc.oneof(hostileString, fc.jsonValue()),
      requestId: fc.oneof(hostileString, fc.nat()),
    })
    .map((r) => frame('custom: run', custom({ type: 'run', ...r }))),
  fc
    .record({
      runId: fc.oneof(fc.uuid(), hostileString),
      blockId: hostileString,
      result: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.record({ columns: fc.array(hostileString), rowCount: fc.integer(), rows: fc.jsonValue() }),
      ),
      error: fc.oneof(fc.constant(undefined), fc.record({ code: hostileString, message: hostileString })),
    })
    .map((r) => frame('custom: run-result never granted', custom({ type: 'run-result', ...r }))),
  fc
    .constantFrom(
      '__proto__',
      'constructor',
      'welcome',
      'run-granted',
      'run-finished',
      'schema-changed',
      'refused',
    )
    .map((type) =>
      frame('custom: server-only type', custom({ type, runId: 'x', by: { userId: 'spoof', name: 'spoof' } })),
    ),
);

/** Over `maxMessageBytes`: the socket closes with 4400 whatever the frame says. */
export const oversizedFrame: fc.Arbitrary<HostileFrame> = fc
  .tuple(fc.integer({ min: 1, max: 4096 }), fc.constantFrom('binary', 'update', 'custom'))
  .map(([extra, shape]) => {
    const size = ROOM_LIMITS.maxMessageBytes + extra;
    if (shape === 'custom')
      return frame(
        'oversized custom',
        `${CUSTOM_MESSAGE_PREFIX}${'x'.repeat(size)}`,
        CloseCode.MessageTooLarge,
      );
    const data = new Uint8Array(size);
    if (shape === 'update') data.set([0, 2]);
    return frame(`oversized ${shape}`, data, CloseCode.MessageTooLarge);
  });

/** One frame that must leave the socket open. */
export const survivableFrame: fc.Arbitrary<HostileFrame> = fc.oneof(
  { arbitrary: bytes(64).map((b) => frame('random bytes', b)), weight: 3 },
  { arbitrary: bytes(4000).map((b) => frame('random bytes (large)', b)), weight: 1 },
  { arbitrary: headerOverGarbage, weight: 3 },
  { arbitrary: mangledReal, weight: 4 },
  { arbitrary: awarenessState, weight: 2 },
  { arbitrary: awarenessOversized, weight: 1 },
  { arbitrary: customMessage, weight: 4 },
);

/**
 * Well-formed edits inserting `text` (an update, and a sync step 2 carrying it): allowed from an
 * editor, dropped from a read-only socket (the update with a `refused` notice).
 */
export function viewerEdits(text: string): HostileFrame[] {
  const [, step2, update] = realMessages(text) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  return [frame('viewer: well-formed update', update), frame('viewer: sync step 2 with content', step2)];
}
