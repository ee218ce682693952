// The regional gateway of scripts/e2e.sh (two establishments sharing the test PACS, the
// regional fixtures of e2e/fixtures/make_regional.py): its address, the fixtures' studies, a
// doctor of a site signed in through the development login, and the tests' screenshots.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REGIONAL = process.env.REGIONAL_PORTAL_URL ?? 'http://127.0.0.1:8081/';
export const api = (path) => new URL(path, REGIONAL).href;
export const studies = () =>
  JSON.parse(readFileSync(join(process.env.E2E_WORK ?? '../.data/e2e', 'regional/studies.json'), 'utf8'));

/** A page of `browser` signed in as a doctor of `site` through the development login's button. */
export async function doctorOf(browser, site, viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(REGIONAL);
  await page.locator(`[data-testid=dev-login][data-site=${site}]`).click();
  await page.locator('[data-testid=user-sites]').waitFor({ state: 'attached', timeout: 30_000 });
  return { page, context, problems };
}

/** Waits until `locator`'s text matches `pattern` (30 s at most), then asserts it. */
export async function assertText(locator, pattern) {
  await locator.waitFor({ timeout: 30_000 });
  for (let i = 0; i < 100; i++) {
    if (pattern.test(await locator.innerText())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(await locator.innerText(), pattern);
}

/** Where a regional test's screenshot `name` goes. */
export function shot(name) {
  return join(process.env.E2E_WORK ?? '../.data/e2e', `regional-${name}.png`);
}
