import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunFinished, RunGranted, ServerMessage } from '../../durable-objects/protocol.ts';
import { roomOf } from '../../worker/documents/rooms.ts';
import { addMember, createUser, makeToken, type TestUser } from '../support/auth.ts';
import { connectProvider, eventually, newDocument, type ProviderClient, sendJson } from './room-client.ts';

// Every YProvider registers a process 'exit' listener.
process.setMaxListeners(200);

let owner: TestUser;
let editor: TestUser;
let viewer: TestUser;
const open: ProviderClient[] = [];

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

async function join(id: string, headers: Record<string, string>): Promise<ProviderClient> {
  const client = connectProvider(id, headers);
  open.push(client);
  await client.synced;
  await eventually(() => client.messages.some((m) => m.type === 'runs'), 10_000, 'runs snapshot');
  return client;
}

type Refused = Extract<ServerMessage, { type: 'refused' }>;
const refusals = (c: ProviderClient) => c.messages.filter((m): m is Refused => m.type === 'refused');
const finished = (c: ProviderClient) => c.messages.filter((m): m is RunFinished => m.type === 'run-finished');

async function refusal(c: ProviderClient, nth: number): Promise<Refused> {
  await eventually(() => refusals(c).length >= nth, 10_000, `refusal #${nth}`);
  return refusals(c)[nth - 1]!;
}

async function grant(c: ProviderClient, blockId: string, requestId: string): Promise<RunGranted> {
  sendJson(c, { type: 'run', blockId, requestId });
  const find = () =>
    c.messages.find((m): m is RunGranted => m.type === 'run-granted' && m.requestId === requestId);
  await eventually(() => Boolean(find()), 10_000, `grant ${requestId}`);
  return find()!;
}

const result = { columns: ['n'], rowCount: 1, rows: [[1]] };

describe('shared runs', () => {
  it('refuses a viewer’s run and run result; the viewer still sees an editor’s result', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Viewer runs' });
    const view = await join(id, viewer.cookieHeaders);
    const ed = await join(id, editor.cookieHeaders);

    sendJson(view, { type: 'run', blockId: 'block-1', requestId: 'v1' });
    expect(await refusal(view, 1)).toMatchObject({ reason: 'read-only', requestId: 'v1' });
    sendJson(view, { type: 'run-result', blockId: 'block-1', runId: 'forged', result });
    expect(await refusal(view, 2)).toMatchObject({ reason: 'read-only' });

    const granted = await grant(ed, 'block-1', 'e1');
    sendJson(ed, { type: 'run-result', runId: granted.runId, result });
    await eventually(() => finished(view).length === 1, 10_000, 'editor result at the viewer');
    expect(finished(view)[0]).toMatchObject({ runId: granted.runId, result });
    // Nothing the viewer sent was ever broadcast.
    const runIds = ed.messages.flatMap((m) => ('runId' in m ? [m.runId] : []));
    expect(new Set(runIds)).toEqual(new Set([granted.runId]));
    expect(ed.messages.some((m) => m.type === 'run-started' && m.by.userId === viewer.userId)).toBe(false);
  }, 30_000);

  it('refuses an editor’s result for a run the room did not start for them', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Foreign runs' });
    const ed = await join(id, editor.cookieHeaders);
    const own = await join(id, owner.cookieHeaders);
    const watch = await join(id, viewer.cookieHeaders);

    // An id the editor made up, the way clients used to.
    sendJson(ed, { type: 'run-result', blockId: 'block-1', runId: 'made-up', result });
    expect(await refusal(ed, 1)).toMatchObject({ reason: 'unknown-run' });
    // A client-chosen run id is ignored: the room mints its own.
    sendJson(ed, { type: 'run', blockId: 'block-1', runId: 'chosen', requestId: 'c1' });
    await eventually(() => ed.messages.some((m) => m.type === 'run-granted'), 10_000, 'grant');
    const minted = ed.messages.find((m): m is RunGranted => m.type === 'run-granted')!;
    expect(minted.runId).not.toBe('chosen');
    sendJson(ed, { type: 'run-result', blockId: 'block-1', runId: 'chosen', result });
    expect(await refusal(ed, 2)).toMatchObject({ reason: 'unknown-run' });
    // The owner's run id is visible to everyone in run-started, but only the owner may finish it.
    const owners = await grant(own, 'block-2', 'o1');
    await eventually(
      () => ed.messages.some((m) => m.type === 'run-started' && m.runId === owners.runId),
      10_000,
      'run-started at the editor',
    );
    sendJson(ed, { type: 'run-result', blockId: 'block-2', runId: owners.runId, result });
    expect(await refusal(ed, 3)).toMatchObject({ reason: 'unknown-run' });

    // The owner's own result still goes through, once.
    sendJson(own, { type: 'run-result', runId: owners.runId, result: { ...result, rows: [[2]] } });
    await eventually(() => finished(watch).length === 1, 10_000, 'owner result');
    expect(finished(watch)[0]).toMatchObject({ runId: owners.runId, by: { userId: owner.userId } });
    expect(finished(watch)[0]!.result?.rows).toEqual([[2]]);
    expect(refusals(ed)).toHaveLength(3);
  }, 30_000);

  it('accepts an editor’s result for its own run once, with the block and start the room recorded', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Own runs' });
    const ed = await join(id, editor.cookieHeaders);
    const view = await join(id, viewer.cookieHeaders);

    const granted = await grant(ed, 'block-1', 'r1');
    await eventually(
      () => view.messages.some((m) => m.type === 'run-started' && m.runId === granted.runId),
      10_000,
      'run-started at the viewer',
    );
    expect(view.messages.find((m) => m.type === 'run-started')).toMatchObject({
      blockId: 'block-1',
      by: { userId: editor.userId, name: 'Edd Editor' },
    });
    // The result names another block: the room files it under the block it granted.
    sendJson(ed, { type: 'run-result', blockId: 'block-9', runId: granted.runId, result });
    await eventually(() => finished(view).length === 1, 10_000, 'result at the viewer');
    expect(finished(view)[0]).toMatchObject({
      runId: granted.runId,
      blockId: 'block-1',
      startedAt: granted.startedAt,
      by: { userId: editor.userId, name: 'Edd Editor' },
      result,
    });

    // A second result for the same run is a duplicate.
    sendJson(ed, { type: 'run-result', runId: granted.runId, error: { code: 'x', message: 'overwrite' } });
    expect(await refusal(ed, 1)).toMatchObject({ reason: 'unknown-run' });
    expect(finished(view)).toHaveLength(1);

    // Late joiners get the accepted result.
    const late = await join(id, owner.cookieHeaders);
    const snapshot = late.messages.find((m) => m.type === 'runs') as Extract<ServerMessage, { type: 'runs' }>;
    expect(snapshot.runs).toEqual([expect.objectContaining({ type: 'run-finished', runId: granted.runId })]);
  }, 30_000);

  it('refuses a result sent over the same member’s viewer-ceiling token', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Ceiling runs' });
    const ed = await join(id, editor.cookieHeaders);
    const capped = await join(id, (await makeToken(editor, { ceiling: 'viewer' })).headers);
    const granted = await grant(ed, 'block-1', 'r1');
    sendJson(capped, { type: 'run-result', runId: granted.runId, result });
    expect(await refusal(capped, 1)).toMatchObject({ reason: 'read-only' });
    // The run is still the editor's to finish.
    sendJson(ed, { type: 'run-result', runId: granted.runId, result });
    await eventually(() => finished(capped).length === 1, 10_000, 'editor result');
  }, 30_000);

  it('shares the Worker’s published run events (RPC) with everyone', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'RPC runs' });
    const view = await join(id, viewer.cookieHeaders);
    const published = await roomOf(env, id).publishRun({
      type: 'run-finished',
      runId: 'run-1',
      blockId: 'block-1',
      by: { userId: editor.userId, name: 'Edd Editor' },
      result: { columns: ['n'], rowCount: 1, rows: [[1]], handle: 'history-1' },
    });
    expect(published).toEqual({ ok: true });
    await eventually(() => finished(view).length === 1, 10_000, 'run-finished');
    expect(finished(view)[0]).toMatchObject({ result: { handle: 'history-1' } });
    expect(typeof finished(view)[0]!.at).toBe('number');
  }, 30_000);
});
