// Debian's Chromium, headless, WebGL2 through SwiftShader; no browser download. Playwright
// gives every launch a new empty profile.
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.PORTAL_URL ?? 'http://127.0.0.1:8080/';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

/**
 * A page that records console errors, page errors and failed requests; `options` go to
 * `browser.newPage` (a phone: `{ viewport: { width: 390, height: 844 }, hasTouch: true }`).
 */
export async function openPage(browser, path = '', options = {}) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, ...options });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(new URL(path, BASE_URL).href);
  return { page, problems };
}
