// A study link's first requests (issue 7): the page's early script asks for the session, the
// study, its series and the linked series' metadata, and starts the small decoder, while the
// app's code is still loading; the app uses those answers instead of asking again. Signed
// out, the refused early answers are not used: after signing in, the study opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, devLogin, BASE_URL } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { assertCtSlice, ctFile } from '../lib/ct.mjs';

// ct-series/README.md: the CT's study, and its series 1 in explicit VR little endian.
const CT_STUDY = '1.2.826.0.1.3680043.8.498.24918011185820656779824488017568435840';
const LE_SERIES = '1.2.826.0.1.3680043.8.498.12114070921023870182293348541202798777';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A page whose every request is recorded (path and query, and when it started). */
async function recordedPage({ login }) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  if (login) await devLogin(page);
  const requests = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    requests.push({ what: url.pathname + url.search, started: r.timing().startTime });
  });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(new URL(`?study=${CT_STUDY}&series=${LE_SERIES}`, BASE_URL).href);
  return { page, requests, problems };
}

const EARLY = [
  '/api/session',
  `/dicom-web/studies?StudyInstanceUID=${CT_STUDY}&includefield=00081030&includefield=00080061`
    + '&includefield=00100030&includefield=00100040',
  `/dicom-web/studies/${CT_STUDY}/series?includefield=0008103E`,
  `/dicom-web/studies/${CT_STUDY}/series/${LE_SERIES}/metadata`,
];
const SMALL_LOADER = '/decode_small_loader.js';

test('a study link\'s first requests start before the app runs, and each is asked once', { timeout: 120_000 }, async () => {
  const { page, requests, problems } = await recordedPage({ login: true });
  const portal = new Portal(page);
  await portal.waitForState('ready');
  await portal.waitForSlice(0);
  // Head first along the normal: the most superior slice first.
  await assertCtSlice(portal, ctFile(0));
  const appStart = await page.evaluate(
    () => performance.timeOrigin + performance.getEntriesByName('app-start')[0].startTime,
  );
  for (const what of EARLY) {
    const asked = requests.filter((r) => r.what === what);
    assert.equal(asked.length, 1, `${what.slice(0, 60)} asked ${asked.length} times`);
    assert.ok(asked[0].started < appStart, `${what.slice(0, 60)} started before the app ran`);
  }
  // The small decoder the early script started is the pool's first worker: taken, and no
  // more workers than the pool's one per core.
  const loaders = requests.filter((r) => r.what === SMALL_LOADER);
  assert.ok(loaders[0]?.started < appStart, 'the small decoder started before the app ran');
  assert.equal(await page.evaluate(() => window.__portalEarly.worker), null, 'the app took the early worker');
  const cores = await page.evaluate(() => Math.min(Math.max(navigator.hardwareConcurrency, 1), 4));
  assert.ok(loaders.length <= cores, `${loaders.length} small decoders for ${cores} cores`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('signed out, a study link shows the sign-in, and after it the study opens', { timeout: 120_000 }, async () => {
  const { page, problems } = await recordedPage({ login: false });
  await page.locator('[data-testid=dev-login]').click();
  const portal = new Portal(page);
  await portal.waitForState('ready');
  assert.equal(await page.locator('[data-testid=viewport]').getAttribute('data-series'), LE_SERIES);
  assert.deepEqual(problems, []);
  await page.close();
});
