/**
 * A newcomer's first minutes, on the embedded default only (the built-in Chinook demo on D1; no
 * PostgreSQL or MariaDB connection is made): sign up through the form, browse the demo, read a
 * table's data, open the SQL editor from the dashboard and run the example query with Ctrl+Enter,
 * chart it and export it. The demo's id (`builtin:demo`) needs URL encoding, so this is the path
 * on which an id encoded twice would fail. Then the last leg: a document on the demo whose shared
 * run a second person, invited into the first one's organization, sees appear.
 */
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';
import { apiFromPage, signUp } from './helpers.ts';

let app: AppServer;
let browser: TestBrowser;
/** Browsers a test opens beyond the shared one; closed with the app. */
const others: TestBrowser[] = [];

beforeAll(async () => {
  app = await startAppServer({ localEndpoints: inject('localEndpoints') });
  browser = await launchBrowser(app.url);
}, 300_000);

afterAll(async () => {
  for (const b of others) await b.close();
  await browser?.close();
  await app?.stop();
});

test('sign up, browse the demo, run the first query, chart and export it', async () => {
  const page = browser.page;
  const apiPaths: string[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/api/connections/')) apiPaths.push(url.pathname);
  });
  try {
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Newcomer');
    await page.getByLabel('Email').fill(`newcomer-${Date.now()}@atrium.test`);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor(WAIT);

    // Browse the demo → a table → its Data tab.
    await page.getByRole('link', { name: 'Browse the demo database' }).click();
    const tree = page.getByTestId('schema-tree');
    const artist = tree.locator('[data-table="main.Artist"]');
    await expect.poll(() => artist.count(), WAIT).toBe(1);
    await artist.click();
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    await expect.poll(() => page.getByTestId('data-grid').textContent(), WAIT).toContain('AC/DC');

    // Dashboard → "Open the SQL editor" lands on the demo with an example query ready to run.
    await page.getByRole('link', { name: 'Dashboard' }).first().click();
    await page.getByRole('link', { name: 'Open the SQL editor' }).click();
    await expect.poll(() => page.url(), WAIT).toContain('/query/builtin');
    const editor = page.locator('.cm-content');
    await expect.poll(() => editor.textContent(), WAIT).toContain('FROM Artist');
    await editor.click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('row-count').textContent(), WAIT).toBe('10 rows');
    await expect.poll(() => page.getByTestId('results-grid').textContent(), WAIT).toContain('Iron Maiden');

    await page.getByRole('button', { name: 'Chart' }).click();
    await page.getByTestId('plot').locator('canvas').first().waitFor(WAIT);

    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      page.getByRole('button', { name: 'CSV' }).click(),
    ]);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync((await download.path()) ?? '', 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toBe('artist,albums');
    expect(csv).toHaveLength(11);

    // Every API path named the demo with its id encoded exactly once.
    const demoPaths = apiPaths.filter((p) => p.includes('builtin'));
    expect(demoPaths.length).toBeGreaterThan(0);
    for (const p of demoPaths) expect(p).toMatch(/^\/api\/connections\/builtin(%3A|:)demo(\/|$)/);
    // The sign-up page asks /api/me before anyone is signed in; that 401 is the expected answer.
    expect(browser.errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
  } catch (err) {
    console.log('failure screenshot:', await screenshot(page, 'newcomer-failed'), browser.errors);
    throw err;
  }
}, 180_000);

test('a document on the demo: its shared run appears for a second member of the organization', async () => {
  // Fresh browsers (fresh cookie jars): this leg does not lean on the first test's account.
  const owner = await launchBrowser(app.url);
  const guest = await launchBrowser(app.url);
  others.push(owner, guest);
  const a = owner.page;
  const b = guest.page;
  try {
    await signUp(a, 'Ada Owner');
    const { email: guestEmail } = await signUp(b, 'Grace Guest');
    const me = await apiFromPage<{ activeOrg: { id: string } }>(a, '/api/me');
    // Invite and accept through the API from each page (the invitation UI has its own test).
    const invite = await apiFromPage<{ token: string }>(
      a,
      `/api/orgs/${me.activeOrg.id}/invitations`,
      'POST',
      {
        email: guestEmail,
        role: 'viewer',
      },
    );
    await apiFromPage(b, '/api/invitations/accept', 'POST', { token: invite.token });

    // Documents → new document → link it to the demo connection.
    await a.goto('/documents');
    await a.getByTestId('new-document').click();
    await a.waitForURL(/\/documents\/[^/]+$/);
    await expect.poll(() => a.getByTestId('room-status').textContent(), WAIT).toContain('Live');
    await a.getByTestId('connection-picker').selectOption({ label: 'Chinook demo (sqlite)' });
    await expect.poll(() => a.getByTestId('connection-picker').inputValue(), WAIT).toBe('builtin:demo');
    await a.locator('.cm-content').click();
    await a.keyboard.type('SELECT Name FROM Artist ORDER BY ArtistId LIMIT 3;');

    // The guest opens the same document before the run, so the result must arrive live.
    await b.goto(new URL(a.url()).pathname);
    await expect.poll(() => b.getByTestId('room-status').textContent(), WAIT).toContain('Live');
    await expect.poll(() => b.locator('.cm-content').textContent(), WAIT).toContain('LIMIT 3;');
    expect(await b.getByTestId('shared-run').count()).toBe(0);

    const block = a.locator('.block').filter({ hasText: 'SELECT Name FROM Artist' });
    await block.getByRole('button', { name: '▶ Run' }).click();
    await expect.poll(() => a.getByTestId('shared-run').textContent(), WAIT).toContain('AC/DC');

    // The guest sees the owner's run, with its rows and who ran it.
    const shared = b.getByTestId('shared-run');
    await expect.poll(() => shared.textContent(), WAIT).toContain('Run by Ada Owner');
    const text = (await shared.textContent()) ?? '';
    expect(text).toContain('AC/DC');
    expect(text).toContain('Accept');
    expect(text).toContain('Aerosmith');
    // The sign-in page asks /api/me before anyone is signed in; that 401 is the expected answer.
    const unexpected = (errors: string[]) => errors.filter((e) => !e.includes('status of 401'));
    expect(unexpected(owner.errors)).toEqual([]);
    expect(unexpected(guest.errors)).toEqual([]);
  } catch (err) {
    console.log(
      'failure screenshots:',
      await screenshot(a, 'newcomer-document-owner'),
      await screenshot(b, 'newcomer-document-guest'),
      owner.errors,
      guest.errors,
    );
    throw err;
  }
}, 180_000);

test('copy selected result rows: Ctrl+C as TSV, and the footer as JSON and SQL INSERT', async () => {
  const user = await launchBrowser(app.url);
  others.push(user);
  const page = user.page;
  await user.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  try {
    await signUp(page, 'Clara Copy');
    await page.goto('/');
    await page.getByRole('link', { name: 'Open the SQL editor' }).click();
    const editor = page.locator('.cm-content');
    await expect.poll(() => editor.textContent(), WAIT).toContain('FROM Artist');
    await editor.click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('row-count').textContent(), WAIT).toBe('10 rows');

    // Rows 2–3 by their numbers: a click, then Shift-click for the range.
    const grid = page.getByTestId('results-grid');
    const rowNumber = (n: number) => grid.getByRole('rowheader', { name: String(n), exact: true });
    const cells = async (n: number) =>
      grid.locator(`[role="row"][aria-rowindex="${n + 1}"] [role="gridcell"]`).allTextContents();
    const [second, third] = [await cells(2), await cells(3)];
    await rowNumber(2).click();
    await rowNumber(3).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('selected-rows').textContent(), WAIT).toContain('2 selected');
    await grid.press('Control+c');
    await expect
      .poll(clipboard, WAIT)
      .toBe(['artist\talbums', second.join('\t'), third.join('\t')].join('\r\n'));

    await page.getByRole('button', { name: 'Copy selected rows as JSON' }).click();
    await expect.poll(async () => (await clipboard()).startsWith('['), WAIT).toBe(true);
    expect(JSON.parse(await clipboard())).toEqual([
      { artist: second[0], albums: Number(second[1]) },
      { artist: third[0], albums: Number(third[1]) },
    ]);

    await page.getByRole('button', { name: 'Copy selected rows as SQL INSERT' }).click();
    await expect.poll(clipboard, WAIT).toMatch(/^INSERT INTO "results" \("artist", "albums"\) VALUES \('/);
    expect((await clipboard()).split('\n')).toHaveLength(2);

    // A plain cell click returns to copying one cell.
    await grid.locator('[role="gridcell"]').first().click();
    expect(await page.getByTestId('copy-as').count()).toBe(0);
    expect(user.errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
  } catch (err) {
    console.log('failure screenshot:', await screenshot(page, 'newcomer-copy-failed'), user.errors);
    throw err;
  }
}, 180_000);
