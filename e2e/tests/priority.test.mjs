// Request order on a slow PACS (issue 7): the visible frame is asked alone, its neighbours
// once its bytes are in; when the reader jumps away, requests far from the new frame are cancelled and the
// new frame comes first; the cancelled frames are asked again later and the series completes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertCtSlice, ctFile, SHARED } from '../lib/ct.mjs';

const DELAY_MS = 1500;

/** The SOP Instance UID of a file of the explicit VR little endian CT series. */
function sopOf(file) {
  const line = readFileSync(join(SHARED, 'ct-series/MANIFEST.tsv'), 'utf8').split('\n')
    .find((l) => l.startsWith(`explicit-vr-le/${file}\t`));
  return line.split('\t')[5];
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the visible frame goes first, and a jump cancels what is far from it', { timeout: 180_000 }, async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  // Every frame answer waits DELAY_MS: a slow PACS or link. The neighbours' answers also wait
  // for the jump, so that what is asked after it does not depend on how fast this machine is.
  const lastSop = sopOf(ctFile(60));
  let jumped;
  const jump = new Promise((resolve) => { jumped = resolve; });
  let inFlight = 0;
  let firstAnswered = false;
  let mostBeforeFirst = 0;
  const asked = [];
  await page.route('**/frames/**', async (route) => {
    const url = route.request().url();
    asked.push(url);
    const first = asked.length === 1;
    if (url.includes(lastSop)) jumped();
    inFlight += 1;
    if (!firstAnswered) mostBeforeFirst = Math.max(mostBeforeFirst, inFlight);
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
    if (!first) await jump;
    inFlight -= 1;
    // The page reads a frame's bytes only after this: a frame asked later was asked after them.
    await route.continue().catch(() => {}); // cancelled by the page meanwhile
    if (first) firstAnswered = true;
  });
  const cancelled = [];
  page.on('requestfailed', (r) => {
    if (r.url().includes('/frames/') && /ABORTED/.test(r.failure()?.errorText ?? '')) cancelled.push(r.url());
  });
  const sopsOf = (urls) => urls.map((u) => u.match(/instances\/([^/]+)\/frames/)?.[1]);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0, 60_000);
  assert.equal(mostBeforeFirst, 1, `the visible frame was asked alone until it came: ${sopsOf(asked)}`);
  // Its neighbours are on their way now; jump to the other end of the series.
  await page.waitForTimeout(200);
  await portal.viewport().focus();
  const before = asked.length;
  await page.keyboard.press('End');
  await portal.waitForSlice(60, 60_000);
  assert.ok(cancelled.length >= 1, 'requests far from the new frame were cancelled');
  // The first request after the jump is the new visible frame's (thumbnails of the other series
  // may come too, once the first view is settled).
  const series = asked[0].match(/series\/([^/]+)\//)[1];
  const after = asked.slice(before).filter((u) => u.includes(`/series/${series}/`));
  assert.ok(after[0]?.includes(lastSop), `the new frame was asked first: ${sopsOf(after)}`);
  await assertCtSlice(portal, ctFile(60));
  await page.waitForSelector('[data-testid=viewport][data-loaded="61"]', { timeout: 120_000 });
  await page.keyboard.press('Home');
  await portal.waitForSlice(0);
  await page.keyboard.press('ArrowDown');
  await portal.waitForSlice(1); // one of the cancelled ones, asked again
  await assertCtSlice(portal, ctFile(1));
  assert.deepEqual(problems, []);
});
