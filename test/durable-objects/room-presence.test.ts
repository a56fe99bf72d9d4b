import * as encoding from 'lib0/encoding';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { colorFor } from '../../durable-objects/member-color.ts';
import { ROOM_LIMITS } from '../../durable-objects/protocol.ts';
import { addMember, createUser, type TestUser } from '../support/auth.ts';
import {
  connectProvider,
  eventually,
  newDocument,
  type ProviderClient,
  presenceOf,
  RawClient,
} from './room-client.ts';

// Every YProvider registers a process 'exit' listener.
process.setMaxListeners(200);

let owner: TestUser;
let editor: TestUser;
let viewer: TestUser;
const open: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  owner = await createUser({ name: 'Olivia Owner' });
  [editor, viewer] = await Promise.all([
    addMember(owner, 'editor', { name: 'Edd Editor' }),
    addMember(owner, 'viewer', { name: 'Vic Viewer' }),
  ]);
}, 60_000);

afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});

async function join(id: string, headers: Record<string, string>, name?: string): Promise<ProviderClient> {
  const client = connectProvider(id, headers, { name });
  open.push(client);
  await client.synced;
  return client;
}

const userOf = (state: Record<string, unknown> | undefined) =>
  state?.user as { id?: string; name?: string; color?: string } | undefined;

/** A y-protocols awareness frame with hand-picked client ids and clocks. */
function awarenessFrame(entries: Array<[clientId: number, clock: number, state: unknown]>): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const [clientId, clock, state] of entries) {
    encoding.writeVarUint(update, clientId);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, 1);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

describe('presence identity', () => {
  it('shows a client claiming another member’s name with its real name and colour', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Spoof' });
    const spoofer = await join(id, editor.cookieHeaders, 'Olivia Owner');
    const other = await join(id, viewer.cookieHeaders, 'Vic Viewer');
    await eventually(() => userOf(presenceOf(other, spoofer)) !== undefined, 10_000, 'presence');
    expect(userOf(presenceOf(other, spoofer))).toEqual({
      id: editor.userId,
      name: 'Edd Editor',
      color: colorFor(editor.userId),
      colorLight: `${colorFor(editor.userId)}33`,
    });
    // A later change keeps the stamp, and nothing in the room carries the claimed name.
    spoofer.provider.awareness.setLocalStateField('user', { name: 'Olivia Owner', color: '#000' });
    spoofer.provider.awareness.setLocalStateField('cursor', { anchor: 1 });
    await eventually(() => presenceOf(other, spoofer)?.cursor !== undefined, 10_000, 'cursor');
    const names = [...other.provider.awareness.getStates().values()].map((s) => userOf(s)?.name);
    expect(names).not.toContain('Olivia Owner');
    expect(userOf(presenceOf(other, spoofer))?.name).toBe('Edd Editor');
    // Presence without a user field is stamped too: nobody lurks unnamed.
    const lurker = await RawClient.open(id, viewer.bearerHeaders);
    open.push({ destroy: () => lurker.close() });
    lurker.sendAwareness({ cursor: null });
    await eventually(
      () => userOf(other.provider.awareness.getStates().get(lurker.doc.clientID))?.name === 'Vic Viewer',
      10_000,
      'lurker stamped',
    );
  }, 30_000);

  it('drops presence a socket sends for another member’s client id', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Hijack' });
    const victim = await join(id, editor.cookieHeaders);
    const other = await join(id, owner.cookieHeaders);
    victim.provider.awareness.setLocalStateField('cursor', { anchor: 7 });
    await eventually(() => presenceOf(other, victim)?.cursor !== undefined, 10_000, 'victim presence');

    const attacker = await RawClient.open(id, viewer.cookieHeaders);
    open.push({ destroy: () => attacker.close() });
    const victimId = victim.doc.clientID;
    attacker.send(
      awarenessFrame([
        [victimId, 1_000_000, { cursor: { anchor: 0 }, note: 'hijacked' }],
        [attacker.doc.clientID, 1, { cursor: { anchor: 2 } }],
      ]),
    );
    // The attacker's own entry of the same frame arrives; the victim's is untouched.
    await eventually(
      () => other.provider.awareness.getStates().get(attacker.doc.clientID) !== undefined,
      10_000,
      'attacker’s own presence',
    );
    expect(presenceOf(other, victim)?.note).toBeUndefined();
    expect(presenceOf(other, victim)?.cursor).toEqual({ anchor: 7 });
    expect(userOf(presenceOf(other, victim))?.name).toBe('Edd Editor');
  }, 30_000);
});

describe('presence limits', () => {
  it('refuses an oversized awareness frame without relaying it; the socket and room keep working', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Big presence' });
    const big = await join(id, editor.cookieHeaders);
    const other = await join(id, owner.cookieHeaders);
    let largest = 0;
    other.provider.awareness.on('change', () => {
      const blob = presenceOf(other, big)?.blob;
      if (typeof blob === 'string') largest = Math.max(largest, blob.length);
    });
    big.provider.awareness.setLocalStateField('blob', 'x'.repeat(ROOM_LIMITS.maxAwarenessBytes));
    await eventually(
      () => big.messages.some((m) => m.type === 'refused' && m.reason === 'too-large'),
      10_000,
      'refusal',
    );
    big.provider.awareness.setLocalStateField('blob', 'small');
    await eventually(() => presenceOf(other, big)?.blob === 'small', 10_000, 'small presence relayed');
    big.text.insert(0, 'still editing');
    await eventually(() => other.text.toString() === 'still editing', 10_000, 'edit relayed');
    expect(largest).toBe('small'.length);
    expect(big.closes).toEqual([]);
  }, 30_000);

  it('throttles an awareness flood: a bounded number is relayed, ending with the latest state', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Presence flood' });
    const flooder = await join(id, editor.cookieHeaders);
    const other = await join(id, owner.cookieHeaders);
    await eventually(() => presenceOf(other, flooder) !== undefined, 10_000, 'initial presence');
    let relayed = 0;
    other.provider.awareness.on('update', ({ added, updated }: { added: number[]; updated: number[] }) => {
      if ([...added, ...updated].includes(flooder.doc.clientID)) relayed++;
    });
    // Under the socket's frame burst (the room would close it), far over the presence rate.
    const sent = Math.floor(ROOM_LIMITS.messageBurst / 2);
    const started = Date.now();
    for (let n = 1; n <= sent; n++) flooder.provider.awareness.setLocalStateField('cursor', { n });
    await eventually(
      () => (presenceOf(other, flooder)?.cursor as { n?: number } | undefined)?.n === sent,
      15_000,
      'latest state relayed',
    );
    const seconds = (Date.now() - started) / 1000;
    // The burst, the sustained rate over however long this took, and the one coalesced frame.
    const bound = ROOM_LIMITS.awarenessBurst + Math.ceil(seconds * ROOM_LIMITS.awarenessPerSecond) + 1;
    expect(relayed).toBeLessThanOrEqual(bound);
    expect(relayed).toBeLessThan(sent / 2);
    expect(flooder.closes).toEqual([]);
  }, 30_000);
});
