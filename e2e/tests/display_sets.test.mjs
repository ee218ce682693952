// Display sets (issue 4): a series that is neither images nor a report says what it holds, in
// the reader's language, instead of an empty viewport (reports: reports.test.mjs). The corpus's
// study of patient 123565 has a grayscale presentation state (its images are another study).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a presentation-state series is shown as a card that says what it is', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('123565')).first().click();
  await page.locator('[data-testid=series-item]', { hasText: /#1 PR/ }).click();
  const card = page.locator('[data-testid=display-set-card][data-kind=pr]');
  await card.waitFor({ timeout: 30_000 });
  assert.match(await card.innerText(), /État de présentation/);
  assert.equal(await page.locator('[data-testid=viewer-stopped]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
