/**
 * The runtime is killed (SIGKILL) while a room is being edited and started again
 * on the same state: every edit the room acknowledged — relayed to another
 * member, which the room does only after storing it — is there afterwards.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { AtriumClient } from '../support/http-client.ts';
import { RoomClient } from '../support/yjs-client.ts';

let app: AppServer;
let client: AtriumClient;

beforeAll(async () => {
  app = await startAppServer();
  client = await AtriumClient.signUp(app.url);
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

it('keeps every acknowledged edit across a runtime crash mid-session', async () => {
  const doc = await client.json<{ id: string }>('POST', '/api/documents', { title: 'crash test' });
  const roomUrl = `${app.url.replace('http', 'ws')}/parties/document/${doc.id}`;
  const writer = await RoomClient.connect(roomUrl, client.headers);
  const witness = await RoomClient.connect(roomUrl, client.headers);

  const acknowledged: string[] = [];
  let typing = true;
  const typist = (async () => {
    for (let i = 0; typing; i++) {
      const marker = `/*e${i}*/`;
      writer.insert(marker);
      const seen = await Promise.race([
        witness.waitFor(marker).then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
      ]);
      if (seen) acknowledged.push(marker);
      else return; // the runtime is gone: later edits were never acknowledged
    }
  })();

  await new Promise((r) => setTimeout(r, 1500));
  await app.crashAndRestart();
  typing = false;
  await typist;
  writer.close();
  witness.close();
  expect(acknowledged.length).toBeGreaterThan(5);

  const reader = await RoomClient.connect(roomUrl, client.headers);
  const last = acknowledged.at(-1) as string;
  await Promise.race([
    reader.waitFor(last),
    new Promise((_, reject) => setTimeout(() => reject(new Error('state did not load')), 20_000)),
  ]);
  const text = reader.text.toString();
  reader.close();
  const missing = acknowledged.filter((m) => !text.includes(m));
  expect(missing, `${missing.length} of ${acknowledged.length} acknowledged edits lost`).toEqual([]);
}, 180_000);
