// A DMP-style manifest naming studies of other archives (issue 24), on the regional gateway of
// scripts/e2e.sh, with the second Orthanc of scripts/test_pacs.sh (Basic authentication) as the
// declared remote source. Nord's doctor opens the manifest (a key object selection in RGN-N6's
// study, from the series list): its image is read from the remote source; the studies it names are listed, the
// remote one with its source, date and description, the two others refused with why (a host no
// site file declares, an address climbing out of the declared root); the remote study opens,
// labelled with its source.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../lib/browser.mjs';
import { api, studies, doctorOf, assertText, shot } from '../lib/regional.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a manifest shows its remote study from the declared source, refuses the others and says why', { timeout: 240_000 }, async () => {
  const { manifest, remote } = studies();
  const nord = await doctorOf(browser, 'nord');
  const { page } = nord;
  await page.goto(api(`?study=${manifest.study}`));
  await page.locator('[data-testid=series-item]', { hasText: 'Manifeste DMP' }).click();
  const references = page.locator('[data-testid=remote-reference]');
  await page.locator('[data-testid=remote-references]').waitFor({ timeout: 60_000 });
  for (let i = 0; i < 100 && (await references.count()) < 3; i++) await page.waitForTimeout(100);
  const rows = await references.evaluateAll((r) => r.map((e) => ({ status: e.dataset.status, reason: e.dataset.reason, text: e.innerText })));
  assert.equal(rows.length, 3, JSON.stringify(rows));
  assert.equal(rows[0].status, 'resolved');
  assert.match(rows[0].text, /PACS de la région voisine \(test\) : 15\/06\/2020 · Scanner thoracique \(autre région\)/);
  assert.deepEqual(rows.slice(1).map((r) => r.reason), ['undeclared_host', 'outside_root']);
  assert.match(rows[1].text, /source non déclarée\) : pacs\.inconnu\.example/);
  // The manifest's key image, read from the remote source, under its own study's date and
  // description and its source's local ID.
  await page.waitForSelector('[data-testid=key-images] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  const overlay = await page.locator('[data-testid=key-images]').innerText();
  assert.match(overlay, /VOI-1/);
  assert.match(overlay, /15\/06\/2020/);
  assert.match(overlay, /Scanner thoracique \(autre région\)/);
  await page.screenshot({ path: shot('manifest-1440') });
  // On a phone the list starts folded: the key image keeps the cell.
  const phone = await doctorOf(browser, 'nord', { width: 390, height: 844 });
  await phone.page.goto(api(`?study=${manifest.study}`));
  await phone.page.locator('[data-testid=series-item]', { hasText: 'Manifeste DMP' }).click();
  await phone.page.waitForSelector('[data-testid=key-images] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.equal(await phone.page.locator('[data-testid=remote-references]').evaluate((d) => d.open), false);
  const box = await phone.page.locator('[data-testid=key-images] [data-testid=viewport]').boundingBox();
  assert.ok(box && box.height >= 200, `the key image's height on a phone: ${JSON.stringify(box)}`);
  await phone.page.screenshot({ path: shot('manifest-390') });
  await phone.context.close();
  await page.locator('[data-testid=remote-open]').click();
  await page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.equal(new URL(page.url()).searchParams.get('study'), remote.study);
  await assertText(page.locator('[data-testid=remote-source]'), /Images d'une autre source : PACS de la région voisine \(test\)/);
  await assertText(page.locator('[data-testid=patient-banner]'), /REGION NORD6[\s\S]*VOI-1/);
  await page.screenshot({ path: shot('remote-study-1440') });
  assert.deepEqual(nord.problems, []);
  await nord.context.close();
});
