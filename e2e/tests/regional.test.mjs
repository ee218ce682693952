// A regional PACS shared by two establishments (issue 23), on the second gateway of
// scripts/e2e.sh (the regional fixtures' site file): a doctor of each site signs in as that
// site; the other site's patient is neither listed nor opened until the patient's own site
// records their consent to regional sharing in the study's "Partage régional" panel; then the
// other site finds the study, labelled with its establishment, and opens it; the patient's
// opposition takes it away again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../lib/browser.mjs';
import { REGIONAL, api, studies, doctorOf as signedIn, assertText, shot } from '../lib/regional.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const doctorOf = (site, viewport) => signedIn(browser, site, viewport);

/** The study list's rows for the patient name typed in the filter, once it has `count`. */
async function listed(page, name, count) {
  await page.goto(REGIONAL);
  await page.locator('[data-testid=filter-name]').fill(name);
  const rows = page.locator('[data-testid=study-row]');
  for (let i = 0; i < 100 && (await rows.count()) !== count; i++) await page.waitForTimeout(100);
  return rows;
}

test('a patient\'s consent opens their study to the other establishment, labelled with its site, and the opposition closes it', { timeout: 240_000 }, async () => {
  const n1 = studies().n1;
  const nord = await doctorOf('nord');
  const sud = await doctorOf('sud');
  assert.match(await nord.page.locator('[data-testid=user-sites]').innerText(), /Centre hospitalier du Nord/);

  // Not shared: the other site neither finds nor opens it.
  // Sud's six patients named REGION (one of them nord's first patient under sud's own ID).
  assert.equal(await (await listed(sud.page, 'REGION', 6)).count(), 6, 'sud\'s own studies only');
  await sud.page.goto(api(`?study=${n1.study}`));
  await sud.page.locator('[data-testid=study-error]').waitFor({ timeout: 30_000 });
  assert.match(await sud.page.locator('[data-testid=study-error]').innerText(), /introuvable/);

  // The patient's own site records the consent from the study.
  await nord.page.goto(api(`?study=${n1.study}`));
  await nord.page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  await nord.page.locator('[data-testid=consent-open]').click();
  const status = nord.page.locator('[data-testid=consent-status]');
  await assertText(status, /Aucun consentement enregistré/);
  await nord.page.screenshot({ path: shot('consent-panel-1440') });
  await nord.page.locator('[data-testid=consent-method]').selectOption('written');
  await nord.page.locator('[data-testid=consent-give]').click();
  await assertText(status, /Partagé avec les établissements de la région/);

  // Shared: the other site finds it, labelled with its establishment, and opens it.
  const rows = await listed(sud.page, 'REGION', 7);
  assert.equal(await rows.count(), 7);
  const badge = sud.page.locator('[data-testid=study-site]');
  assert.equal(await badge.count(), 1);
  assert.match(await badge.innerText(), /Centre hospitalier du Nord \(test\) \(autre établissement\)/);
  await sud.page.screenshot({ path: shot('shared-in-list-1440') });
  await sud.page.goto(api(`?study=${n1.study}`));
  await sud.page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  // Read, not owned: no consent recorded from the other site.
  await sud.page.locator('[data-testid=consent-open]').click();
  await assertText(sud.page.locator('[data-testid=consent-status]'), /n'appartient pas à votre établissement/);
  assert.equal(await sud.page.locator('[data-testid=consent-give]').count(), 0);

  // The opposition: out of reach at once.
  await nord.page.locator('[data-testid=consent-refuse]').click();
  await assertText(status, /le patient s'y est opposé/);
  assert.equal(await (await listed(sud.page, 'REGION', 6)).count(), 6);
  await sud.page.goto(api(`?study=${n1.study}`));
  await sud.page.locator('[data-testid=study-error]').waitFor({ timeout: 30_000 });

  assert.deepEqual([...nord.problems, ...sud.problems], []);
  await nord.context.close();
  await sud.context.close();
});

test('an emergency access opens a study of no establishment with a reason, says so on the study, and ends', { timeout: 240_000 }, async () => {
  const x1 = studies().x1;
  const sud = await doctorOf('sud');
  await sud.page.goto(api(`?study=${x1.study}`));
  const offer = sud.page.locator('[data-testid=emergency-offer]');
  await offer.waitFor({ timeout: 30_000 });
  const open = offer.locator('[data-testid=emergency-open]');
  assert.equal(await open.isDisabled(), true, 'no reason yet');
  await offer.locator('[data-testid=emergency-category]').selectOption('continuite_des_soins');
  await offer.locator('[data-testid=emergency-reason]').fill('Patient transféré cette nuit, examen de l\'établissement d\'origine');
  await sud.page.screenshot({ path: shot('emergency-offer-1440') });
  await open.click();
  await sud.page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  const banner = sud.page.locator('[data-testid=emergency-banner]');
  await assertText(banner, /ACCÈS EXCEPTIONNEL/);
  await sud.page.screenshot({ path: shot('emergency-banner-1440') });
  // The banner stays over the study, above its controls, on a phone too.
  await sud.page.setViewportSize({ width: 390, height: 844 });
  const box = await banner.boundingBox();
  assert.ok(box && box.y >= 0 && box.x + box.width <= 390 + 1, 'the banner in view on a phone');
  await sud.page.screenshot({ path: shot('emergency-banner-390') });
  await sud.page.locator('[data-testid=emergency-end]').click();
  await sud.page.waitForURL((url) => !url.search.includes('study='), { timeout: 30_000 });
  await sud.page.goto(api(`?study=${x1.study}`));
  await sud.page.locator('[data-testid=emergency-offer]').waitFor({ timeout: 30_000 });
  // The development doctor holds the audit role: the review lists the access and its reason.
  await sud.page.goto(REGIONAL);
  const review = sud.page.locator('[data-testid=emergency-review]');
  await review.locator('summary').click();
  const row = review.locator('[data-testid=emergency-reviewed]', { hasText: 'Patient transféré cette nuit' });
  await row.waitFor({ timeout: 30_000 });
  await sud.page.screenshot({ path: shot('emergency-review-1440') });
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[3], 'RGN-X1');
  assert.equal(cells[5], 'Continuité des soins', cells.join(' | '));
  assert.deepEqual(sud.problems, []);
  await sud.context.close();
});

/** Opens `study` and its "Envoyer" panel, the recipient `to` chosen; the panel. */
async function sendPanel(page, study, to) {
  await page.goto(api(`?study=${study}`));
  await page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  await page.locator('[data-testid=send-open]').click();
  const panel = page.locator('[data-testid=send-panel]');
  await panel.locator('[data-testid=send-to] option', { hasText: to }).waitFor({ state: 'attached' });
  await panel.locator('[data-testid=send-to]').selectOption({ label: to });
  return panel;
}

test('a study sent to the other establishment\'s team is in its inbox, opens from there, and the sender sees it opened', { timeout: 240_000 }, async () => {
  const n4 = studies().n4;
  const nord = await doctorOf('nord');
  const sud = await doctorOf('sud');
  const panel = await sendPanel(nord.page, n4.study, 'Équipe : Clinique du Sud (test)');
  await panel.locator('[data-testid=send-message]').fill('Avis chirurgical souhaité avant la réunion de mardi');
  await panel.locator('[data-testid=send-urgent]').check();
  await nord.page.screenshot({ path: shot('send-panel-1440') });
  await panel.locator('[data-testid=send-submit]').click();
  await panel.locator('[data-testid=send-done]').waitFor({ timeout: 30_000 });

  await sud.page.goto(REGIONAL);
  const received = sud.page.locator(`[data-testid=exchange-inbox][data-study="${n4.study}"]`);
  await received.waitFor({ timeout: 30_000 });
  const text = await received.innerText();
  assert.match(text, /URGENT/);
  assert.match(text, /Centre hospitalier du Nord \(test\)/);
  assert.match(text, /Avis chirurgical/);
  assert.match(text, /pas encore ouvert/);
  await sud.page.screenshot({ path: shot('inbox-1440') });
  await received.locator('button').click();
  await sud.page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });

  await nord.page.goto(REGIONAL);
  const sent = nord.page.locator(`[data-testid=exchange-sent][data-study="${n4.study}"]`);
  await assertText(sent, /ouvert le/);
  assert.deepEqual([...nord.problems, ...sud.problems], []);
  await nord.context.close();
  await sud.context.close();
});

test('chosen series of a study sent to the other establishment are all its team sees of it', { timeout: 240_000 }, async () => {
  const n7 = studies().n7;
  const nord = await doctorOf('nord', { width: 390, height: 844 });
  const sud = await doctorOf('sud');
  const panel = await sendPanel(nord.page, n7.study, 'Équipe : Clinique du Sud (test)');
  // Some series only: none ticked yet, the button waits and says why.
  await panel.locator('[data-testid=send-chosen]').check();
  await panel.locator('[data-testid=send-pick-one]').waitFor();
  assert.equal(await panel.locator('[data-testid=send-submit]').isDisabled(), true);
  const boxes = panel.locator('[data-testid=send-series]');
  await assertText(panel.locator('.exchange-series-list'), /#2 CT Fenetre osseuse/);
  assert.equal(await boxes.count(), 2);
  await panel.locator('label.exchange-series', { hasText: '#2 CT Fenetre osseuse' }).locator('input').check();
  await panel.locator('[data-testid=send-message]').fill('La fenêtre osseuse seulement');
  const box = await panel.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the panel within the phone's width: ${JSON.stringify(box)}`);
  await nord.page.screenshot({ path: shot('send-series-390') });
  await panel.locator('[data-testid=send-submit]').click();
  await panel.locator('[data-testid=send-done]').waitFor({ timeout: 30_000 });

  await sud.page.goto(REGIONAL);
  const received = sud.page.locator(`[data-testid=exchange-inbox][data-study="${n7.study}"]`);
  await received.waitFor({ timeout: 30_000 });
  await assertText(received.locator('[data-testid=exchange-series-count]'), /Séries choisies : 1/);
  await received.locator('button').click();
  await sud.page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  const items = sud.page.locator('[data-testid=series-item]');
  assert.equal(await items.count(), 1, 'the series sent only');
  assert.match(await items.first().innerText(), /Fenetre osseuse/);
  await assertText(sud.page.locator('[data-testid=received-series]'), /reçu 1 série\(s\) choisie\(s\) de cet examen, et non l'examen entier/);
  // Another establishment's study: neither shared nor sent on by its recipient.
  assert.equal(await sud.page.locator('[data-testid=share-open], [data-testid=send-open]').count(), 0);
  await sud.page.screenshot({ path: shot('sent-series-1440') });
  assert.deepEqual([...nord.problems, ...sud.problems], []);
  await nord.context.close();
  await sud.context.close();
});

test('the development login offers each establishment, and a phone shows the sign-in whole', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const page = await context.newPage();
  await page.goto(REGIONAL);
  const buttons = page.locator('[data-testid=dev-login]');
  await buttons.first().waitFor({ timeout: 30_000 });
  assert.deepEqual(await buttons.evaluateAll((b) => b.map((e) => e.dataset.site)), ['nord', 'sud']);
  for (const button of await buttons.all()) {
    const box = await button.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, 'each button within the phone\'s width');
  }
  await page.screenshot({ path: shot('sign-in-sites-390') });
  await context.close();
});
