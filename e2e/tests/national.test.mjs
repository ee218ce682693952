// A patient's studies across the region's establishments, linked by the national identity
// (INS) only (issue 24), on the regional gateway of scripts/e2e.sh. The fixtures' RGN-N1 (nord)
// and RGN-S9 (sud) carry one INS and the same traits; RGN-N2 (nord) and RGN-S2 (sud) one INS
// with other traits. Once sud's patients consent to regional sharing, nord's doctor opens
// "Examens du patient dans la région" from the banner: one group per establishment, each under
// its own local ID and identity; where the identities differ the page says so, naming the
// traits, and keeps the groups apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../lib/browser.mjs';
import { api, studies, doctorOf, assertText, shot } from '../lib/regional.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The patient of `study` consents to regional sharing, as recorded by their site's doctor. */
async function consents(page, study) {
  return page.evaluate(async (uid) => {
    const body = { study_uid: uid, status: 'given', given_by: 'patient', method: 'oral',
      given_at: Math.floor(Date.now() / 1000) - 60 };
    const r = await fetch('/api/consent', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return r.status;
  }, study);
}

/** The groups of the national timeline of `study`, once there are `count` (the archive's walk
 * may still be under way at first). */
async function groupsOf(page, study, count) {
  const groups = page.locator('[data-testid=timeline-group]');
  for (let i = 0; i < 60; i++) {
    await page.goto(api(`?ins_of=${study}`));
    await page.locator('[data-testid=national-timeline] [data-testid=timeline]').waitFor({ timeout: 30_000 });
    if ((await groups.count()) === count) break;
    await page.waitForTimeout(1000);
  }
  return groups;
}

test('one INS at two establishments: both groups under their own identity, and differing identities said, never merged', { timeout: 240_000 }, async () => {
  const { n1, s9, n2, s2 } = studies();
  const sud = await doctorOf(browser, 'sud');
  assert.equal(await consents(sud.page, s9.study), 200);
  assert.equal(await consents(sud.page, s2.study), 200);
  await sud.context.close();

  const nord = await doctorOf(browser, 'nord');
  const { page } = nord;
  await page.goto(api(`?study=${n1.study}`));
  await page.locator('[data-testid=ins-studies]').click();
  await page.locator('[data-testid=national-timeline]').waitFor({ timeout: 30_000 });
  const groups = await groupsOf(page, n1.study, 2);
  assert.equal(await groups.count(), 2);
  assert.deepEqual(await groups.evaluateAll((g) => g.map((e) => e.dataset.site)), ['nord', 'sud']);
  assert.match(await groups.nth(0).locator('h2').innerText(), /Centre hospitalier du Nord \(test\) · IPP RGN-N1/);
  assert.match(await groups.nth(1).locator('h2').innerText(), /Clinique du Sud \(test\) · IPP RGN-S9/);
  for (const i of [0, 1]) {
    assert.equal(await groups.nth(i).locator('[data-testid=group-identity]').innerText(), 'REGION NORD1, né(e) le 01/01/1970 · H');
  }
  assert.equal(await page.locator('[data-testid=ins-conflict]').count(), 0);
  assert.deepEqual(
    await page.locator('[data-testid=timeline-study]').evaluateAll((s) => s.map((e) => e.dataset.study)),
    [n1.study, s9.study],
  );
  await page.screenshot({ path: shot('ins-timeline-1440') });

  // One INS, other traits at the other site: said, both identities shown, apart.
  await groupsOf(page, n2.study, 2);
  await assertText(page.locator('[data-testid=ins-conflict]'), /pas la même identité \(premier prénom, date de naissance\)/);
  assert.deepEqual(
    await page.locator('[data-testid=group-identity]').allInnerTexts(),
    ['REGION NORD2, né(e) le 01/01/1970 · H', 'REGION SUD2, né(e) le 01/01/1980 · H'],
  );
  assert.deepEqual(
    await page.locator('[data-testid=timeline-study]').evaluateAll((s) => s.map((e) => e.dataset.study)),
    [n2.study, s2.study],
  );
  for (const [width, height] of [[1440, 900], [1024, 768], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(200);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= width, `the page fits at ${width} (${wide})`);
    await page.screenshot({ path: shot(`ins-conflict-${width}`) });
  }
  // A study without INS: never matched by name or birth date, and said so.
  await page.goto(api(`?ins_of=${studies().n4.study}`));
  await assertText(page.locator('[data-testid=ins-none]'), /ne portent pas d'INS/);
  assert.deepEqual(nord.problems, []);
  await nord.context.close();
});
