// Progressive quality on a poor link (issue 7): a JPEG 2000 frame still arriving is shown
// first from its first bytes, badged as a preview, then replaced by the frame itself, which
// is pixel-exact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { assertCtSlice, ctFile } from '../lib/ct.mjs';
import { PROFILES } from '../bench/profiles.mjs';

// ct-series/README.md: series 5 is the CT in JPEG 2000 Lossless.
const J2K_SERIES = '1.2.826.0.1.3680043.8.498.98324162038162784784080389007501395490';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('on a slow link a JPEG 2000 frame shows a badged preview, then the exact frame', { timeout: 180_000 }, async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  const decoderCode = [];
  page.on('request', (r) => {
    const name = new URL(r.url()).pathname.match(/decode_\w+_bg\.wasm$/)?.[0];
    if (name) decoderCode.push(name);
  });
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  // Every state each viewport goes through, with whether the badge was shown.
  await page.evaluate(() => {
    window.__states = [];
    const record = (v) => window.__states.push({
      series: v.dataset.series, slice: v.dataset.slice, state: v.dataset.state,
      badge: v.querySelector('[data-testid=quality-badge]') !== null,
    });
    new MutationObserver((changes) => {
      for (const c of changes) {
        const v = c.target.closest?.('[data-testid=viewport]');
        if (v) record(v);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-slice'] });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...PROFILES.slow });

  await page.locator('[data-testid=series-item]', { hasText: '#5 ' }).click();
  await page.waitForSelector(`[data-testid=viewport][data-series="${J2K_SERIES}"][data-state=ready]`, { timeout: 90_000 });
  // The far end of the series is not there yet: it comes alone over the slow link.
  await portal.viewport().focus();
  await page.keyboard.press('End');
  await portal.waitForSlice(60, 90_000);
  const states = (await page.evaluate(() => window.__states))
    .filter((s) => s.series === J2K_SERIES && s.slice === '60');
  const preview = states.findIndex((s) => s.state === 'preview');
  assert.ok(preview >= 0, `slice 60 went through a preview: ${JSON.stringify(states)}`);
  assert.ok(states[preview].badge || states.slice(preview).some((s) => s.state === 'preview' && s.badge),
    'the preview was badged');
  assert.ok(states.slice(preview).some((s) => s.state === 'ready'), 'then the frame itself came');
  assert.equal(await page.locator('[data-testid=quality-badge]').count(), 0, 'no badge on the frame itself');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await assertCtSlice(portal, ctFile(60));
  // JPEG 2000 needs the JPEG 2000 build, not the full one with JPEG XL.
  assert.ok(decoderCode.includes('decode_j2k_bg.wasm'), `decoder code fetched: ${decoderCode}`);
  assert.ok(!decoderCode.includes('decode_full_bg.wasm'), `decoder code fetched: ${decoderCode}`);
  assert.deepEqual(problems, []);
  await page.close();
});
