/**
 * Hostile volume over the document room's WebSocket protocol, against one room: upgrades by
 * every kind of caller that must be refused, then sockets of every kind that is admitted
 * (viewer, editor, admin, owner, viewer- and editor-ceiling tokens) sending generated frames —
 * random bytes, y-protocol headers over garbage, truncated and corrupted real messages,
 * presence claims and oversized presence, unknown and ungranted custom messages — then ending
 * with an oversized frame (must close 4400), a flood (must close 4429) or a clean close.
 *
 * Throughout, two well-behaved members (a writer and a reader) stay in the room: they must
 * never be disconnected and every marker the writer types must reach the reader while the
 * fuzz runs. Afterwards: no viewer frame changed the stored document, clients and storage
 * agree, the document reloads from storage after the object is evicted, D1 is unchanged, and
 * no refusal body, text frame or close reason carries a secret or a stack trace. A token that
 * expires or is revoked under an open socket closes it with 4401.
 */
import { evictDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloseCode, CUSTOM_MESSAGE_PREFIX, ROOM_LIMITS } from '../../../durable-objects/protocol.ts';
import { roomOf } from '../../../worker/documents/rooms.ts';
import { eventually, newDocument, RawClient, tick, upgrade } from '../../durable-objects/room-client.ts';
import {
  addMember,
  api,
  createPrincipals,
  makeToken,
  type PrincipalSet,
  revokeToken,
  TEST_ORIGIN,
  TEST_PASSWORD,
  type TestUser,
} from '../../support/auth.ts';
import { HOSTILE_STRINGS, pct } from './generators.ts';
import { bindingSecrets, leakIn, metadataChecksum } from './hostile-checks.ts';
import { type HostileFrame, oversizedFrame, survivableFrame, viewerEdits } from './room-frames.ts';

const ROOM_SEED = 1_600_116;
/** Sockets opened by admitted callers; each sends FRAMES_PER_SOCKET frames, then its ending. */
const SOCKETS = 36;
/** Below the socket's burst (ROOM_LIMITS.messageBurst), so only the flood ending trips the rate limit. */
const FRAMES_PER_SOCKET = 150;

// Every YProvider/RawClient may register listeners; many sockets open in this file.
process.setMaxListeners(200);

type Admitted = 'viewer' | 'editor' | 'admin' | 'owner' | 'viewer-token' | 'editor-token';
const ADMITTED: Admitted[] = ['viewer', 'editor', 'admin', 'owner', 'viewer-token', 'editor-token'];
const READ_ONLY = new Set<Admitted>(['viewer', 'viewer-token']);

let p: PrincipalSet;
let docId: string;
let otherOrgDocId: string;
let writer: RawClient;
let reader: RawClient;
let goodWriter: TestUser;
let secrets: string[];
const admitted = {} as Record<Admitted, Record<string, string>>;

/** Counts and failures, per kind of hostility. */
const tally = new Map<string, { sent: number; failed: number }>();
const failures: string[] = [];
function count(kind: string, n = 1, failure: string | null = null): void {
  const t = tally.get(kind) ?? { sent: 0, failed: 0 };
  t.sent += n;
  if (failure) {
    t.failed++;
    failures.push(`${kind}: ${failure}`);
  }
  tally.set(kind, t);
}

const storedContent = async () => JSON.stringify(await roomOf(env, docId).readContent());

/** A raw client that also keeps every text frame and the close reason, for the leak check. */
async function openRecorded(headers: Record<string, string>) {
  const { res, ws } = await upgrade(docId, headers);
  if (!ws) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
  const seen: string[] = [];
  ws.addEventListener('message', (e) => {
    seen.push(typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data as ArrayBuffer));
  });
  ws.addEventListener('close', (e) => {
    seen.push(e.reason);
  });
  return { client: new RawClient(ws), seen };
}

beforeAll(async () => {
  p = await createPrincipals();
  const owner = p.org.owner;
  const [viewerToken, editorToken, writerUser, readerUser] = await Promise.all([
    makeToken(owner, { ceiling: 'viewer' }),
    makeToken(owner, { ceiling: 'editor' }),
    addMember(p.org, 'editor', { name: 'Good Writer' }),
    addMember(p.org, 'viewer', { name: 'Good Reader' }),
  ]);
  goodWriter = writerUser;
  Object.assign(admitted, {
    viewer: p.viewer.headers,
    editor: p.editor.headers,
    admin: p.admin.headers,
    owner: p.owner.headers,
    'viewer-token': viewerToken.headers,
    'editor-token': editorToken.headers,
  });
  docId = await newDocument(owner.cookieHeaders, { title: 'Fuzzed room', sql: 'select 1;' });
  otherOrgDocId = await newDocument(p['other-org'].headers, { title: 'Elsewhere' });
  writer = await RawClient.open(docId, writerUser.cookieHeaders);
  reader = await RawClient.open(docId, readerUser.cookieHeaders);
  await eventually(() => writer.text === 'select 1;' && reader.text === 'select 1;', 10_000, 'initial sync');
  secrets = [
    ...bindingSecrets(),
    TEST_PASSWORD,
    viewerToken.token,
    editorToken.token,
    ...(['viewer', 'editor', 'admin', 'owner'] as const).map((n) => p[n].user?.token ?? 'unset'),
    ...(['viewer', 'editor', 'admin', 'owner'] as const).map(
      (n) => (p[n].headers.Cookie ?? '').split('=')[1]?.split(';')[0] ?? 'unset',
    ),
  ];
}, 120_000);

/**
 * What the room logs about a refused frame (y-partyserver and Yjs print each decoding error):
 * counted, not printed, so ten thousand frames do not bury the report. Anything else prints.
 */
const ROOM_NOISE = /^(Caught error while handling a Yjs update|Received non-prefixed string message)/;
let silenced = 0;
function silenceRoomNoise() {
  for (const level of ['error', 'warn'] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      const [first] = args;
      if (first instanceof Error || (typeof first === 'string' && ROOM_NOISE.test(first))) silenced++;
      else original(...args);
    });
  }
}
afterAll(() => vi.restoreAllMocks());

/** The writer types a marker; it must reach the reader while hostile sockets come and go. */
async function goodEdit(marker: string): Promise<void> {
  const text = writer.doc.getText('sql');
  text.insert(text.length, marker);
  try {
    await eventually(() => reader.text.includes(marker), 10_000, `marker ${marker} at the reader`);
  } catch (err) {
    count('well-behaved edit', 0, String(err));
  }
}

async function refusedUpgrade(kind: string, id: string, headers: Record<string, string>, expected: number) {
  const { res, ws } = await upgrade(id, headers);
  const body = await res.text();
  let failure: string | null = null;
  if (ws) {
    failure = 'a socket was opened';
    ws.close();
  } else if (res.status !== expected)
    failure = `status ${res.status}, expected ${expected}: ${body.slice(0, 200)}`;
  else {
    let envelope: { error?: { code?: unknown; requestId?: unknown } } = {};
    try {
      envelope = JSON.parse(body);
    } catch {
      // Not JSON: reported as a missing envelope just below.
    }
    if (typeof envelope.error?.code !== 'string' || typeof envelope.error.requestId !== 'string')
      failure = `no error envelope: ${body.slice(0, 200)}`;
    failure ??= leakIn(body, secrets);
  }
  count(`upgrade refused: ${kind}`, 1, failure);
}

describe('hostile volume over the room protocol', () => {
  it('refuses every upgrade it must, keeps the room whole under generated frames, and leaks nothing', async () => {
    const d1Before = await metadataChecksum();
    silenceRoomNoise();

    // --- Upgrades that must not open a socket -------------------------------------------
    const owner = p.org.owner;
    const refusals: [string, string, Record<string, string>, number][] = [
      ['anonymous', docId, { Origin: TEST_ORIGIN }, 401],
      ['revoked token', docId, p['revoked-token'].headers, 401],
      ['expired token', docId, p['expired-token'].headers, 401],
      ['forged cookie', docId, { Cookie: 'better-auth.session_token=forged.sig', Origin: TEST_ORIGIN }, 401],
      ['garbage bearer', docId, { Authorization: `Bearer atr_${'A'.repeat(64)}` }, 401],
      ['basic auth', docId, { Authorization: 'Basic Zm9vOmJhcg==' }, 401],
      ['cross-site cookie', docId, { ...owner.cookieHeaders, Origin: 'https://evil.example' }, 403],
      // The room trusts these headers only because the Worker always overwrites them.
      [
        'spoofed room session headers',
        docId,
        {
          'x-atrium-user-id': owner.userId,
          'x-atrium-org-id': owner.orgId,
          'x-atrium-role': 'owner',
          'x-atrium-user-name': 'Mallory',
        },
        401,
      ],
      ['other org, this room', docId, p['other-org'].headers, 404],
      ['this org, other org’s room', otherOrgDocId, owner.cookieHeaders, 404],
      ['unknown document', crypto.randomUUID(), owner.cookieHeaders, 404],
      ...HOSTILE_STRINGS.filter((s) => s.trim() !== '').map(
        (s): [string, string, Record<string, string>, number] => [
          'hostile document id',
          pct(s),
          owner.bearerHeaders,
          404,
        ],
      ),
    ];
    for (const [kind, id, headers, expected] of refusals) await refusedUpgrade(kind, id, headers, expected);
    // Admitted, but as who the credentials say: session headers sent along are overwritten.
    const spoofer = await openRecorded({
      ...p.viewer.headers,
      'x-atrium-user-id': owner.userId,
      'x-atrium-role': 'owner',
      'x-atrium-user-name': 'Mallory',
    });
    await eventually(
      () => spoofer.client.messages.some((m) => m.type === 'welcome'),
      10_000,
      'welcome',
    ).catch(() => {});
    const welcome = spoofer.client.messages.find((m) => m.type === 'welcome');
    count(
      'upgrade with spoofed session headers, as a viewer',
      1,
      welcome?.type === 'welcome' &&
        welcome.role === 'viewer' &&
        welcome.readOnly &&
        welcome.user.userId !== owner.userId
        ? null
        : `welcome ${JSON.stringify(welcome)}`,
    );
    spoofer.client.close();
    const noUpgrade = await api(`/parties/document/${docId}`, { headers: owner.cookieHeaders });
    count(
      'plain GET on the socket path',
      1,
      noUpgrade.status === 426 ? leakIn(await noUpgrade.text(), secrets) : `status ${noUpgrade.status}`,
    );

    // --- Admitted sockets sending generated frames --------------------------------------
    for (let round = 0; round < SOCKETS; round++) {
      const caller = ADMITTED[round % ADMITTED.length] as Admitted;
      const frames = fc.sample(survivableFrame, { seed: ROOM_SEED + round, numRuns: FRAMES_PER_SOCKET });
      // Well-formed edits too: the room must drop them from a read-only socket.
      if (READ_ONLY.has(caller)) frames.splice(0, 0, ...viewerEdits(`VIEWER-EDIT-${round}`));
      const ending = (['oversized', 'flood', 'clean'] as const)[Math.floor(round / ADMITTED.length) % 3];
      const before = READ_ONLY.has(caller) ? await storedContent() : null;
      const { client, seen } = await openRecorded(admitted[caller]);
      const where = `${caller} socket ${round} (seed ${ROOM_SEED + round})`;

      for (const f of frames) client.send(f.data);
      // A run request is answered (granted or refused, echoing its id) after every frame before it.
      const probe = `probe-${round}`;
      client.sendCustom({ type: 'run', blockId: 'probe', requestId: probe });
      await eventually(
        () =>
          client.closeCode !== null || client.messages.some((m) => 'requestId' in m && m.requestId === probe),
        15_000,
        `the probe answer on ${where}`,
      ).catch(() => {});
      const open = client.closeCode === null;
      const answered = client.messages.some((m) => 'requestId' in m && m.requestId === probe);
      const kinds = new Map<string, number>();
      for (const f of frames) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
      const failure = !open
        ? `closed with ${client.closeCode} by survivable frames`
        : answered
          ? null
          : 'no answer to the probe';
      for (const [kind, n] of kinds) count(`frame: ${kind}`, n, null);
      count(`probe after ${FRAMES_PER_SOCKET} frames`, 1, failure ? `${where}: ${failure}` : null);

      if (ending === 'oversized') {
        const big = fc.sample(oversizedFrame, { seed: ROOM_SEED + round, numRuns: 1 })[0] as HostileFrame;
        client.send(big.data);
        const code = await Promise.race([client.closed, tick(10_000).then(() => null)]);
        count(`ending: ${big.kind}`, 1, code === big.closes ? null : `${where}: closed with ${code}`);
      } else if (ending === 'flood') {
        const flood = ROOM_LIMITS.messageBurst * 2;
        for (let i = 0; i < flood; i++) client.send(`${CUSTOM_MESSAGE_PREFIX}{"type":"flood","i":${i}}`);
        const code = await Promise.race([client.closed, tick(10_000).then(() => null)]);
        // Counted as the frames the room reads before it closes (one burst), not all that were queued.
        count(
          'ending: flood',
          ROOM_LIMITS.messageBurst,
          code === CloseCode.RateLimited ? null : `${where}: closed with ${code}`,
        );
      } else {
        client.close();
        await Promise.race([client.closed, tick(5000)]);
      }

      if (before !== null) {
        const after = await storedContent();
        count('viewer frames leave storage as it was', 0, after === before ? null : `${where}: changed`);
      }
      for (const text of seen) {
        const leak = leakIn(text, secrets);
        if (leak) count('leak check', 0, `${where}: ${leak}`);
      }
      await goodEdit(`/*ok${round}*/`);
    }

    // --- The room afterwards --------------------------------------------------------------
    count(
      'well-behaved sockets stay open',
      0,
      writer.closeCode === null && reader.closeCode === null
        ? null
        : `writer ${writer.closeCode}, reader ${reader.closeCode}`,
    );
    await eventually(
      async () => writer.text === reader.text && JSON.parse(await storedContent()).sql === writer.text,
      15_000,
      'clients and storage to agree',
    ).catch((err) => count('convergence', 0, String(err)));
    const finalText = writer.text;
    const markers = Array.from({ length: SOCKETS }, (_, i) => `/*ok${i}*/`);
    const lost = markers.filter((m) => !finalText.includes(m));
    count('well-behaved markers kept', 0, lost.length ? `${lost.length} lost: ${lost.slice(0, 5)}` : null);
    count('no viewer edit anywhere', 0, finalText.includes('VIEWER-EDIT') ? 'a viewer edit got in' : null);
    const d1After = await metadataChecksum();
    count('D1 unchanged by the room fuzz', 0, d1After === d1Before ? null : 'metadata changed');

    // Reloaded from storage alone: a hostile frame must not have stored anything unreadable.
    writer.close();
    reader.close();
    await evictDurableObject(roomOf(env, docId), { webSockets: 'close' });
    const late = await RawClient.open(docId, goodWriter.cookieHeaders);
    await eventually(() => late.text === finalText, 15_000, 'reload from storage').catch((err) =>
      count('reload after eviction', 0, String(err)),
    );
    late.close();

    const total = [...tally.values()].reduce((n, t) => n + t.sent, 0);
    console.log(
      [
        'hostile room traffic per kind (sent, failed, kind):',
        ...[...tally]
          .filter(([, t]) => t.sent > 0)
          .map(
            ([kind, t]) => `${String(t.sent).padStart(6)} ${String(t.failed).padStart(3)} failed  ${kind}`,
          ),
        `room decoding errors logged by the room (silenced): ${silenced}`,
        `${total.toLocaleString('en')} hostile requests, ${failures.length} failed (room protocol, seed ${ROOM_SEED})`,
      ].join('\n'),
    );
    expect(failures.slice(0, 25), `seed ${ROOM_SEED}`).toEqual([]);
    expect(total).toBeGreaterThan(5000);
  }, 300_000);

  it('closes a token socket with 4401 when the token expires or is revoked under it', async () => {
    const owner = p.org.owner;
    const expiring = await makeToken(owner, { ceiling: 'editor', expiresAt: new Date(Date.now() + 1500) });
    const revoked = await makeToken(owner, { ceiling: 'editor' });
    const a = await RawClient.open(docId, expiring.headers);
    const b = await RawClient.open(docId, revoked.headers);
    await revokeToken(owner, revoked.tokenId);
    expect(await b.closed).toBe(CloseCode.TokenInvalid);
    await tick(1600);
    a.sendCustom({ type: 'run', blockId: 'late' });
    expect(await a.closed).toBe(CloseCode.TokenInvalid);
  }, 30_000);
});
