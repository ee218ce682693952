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
 * A page that records console errors and page errors; `options` go to `browser.newPage` (a
 * phone: `{ viewport: { width: 390, height: 844 }, hasTouch: true }`), except `login`: by
 * default the page's context first signs in through the gateway's development login (the e2e
 * gateway runs with it), `login: false` opens the page as nobody.
 *
 * Two server errors are by design and not recorded: a frame asked in its stored syntax
 * (`transfer-syntax=*`) that the server refuses with 500 (Orthanc 1.10 does for HTJ2K, big
 * endian, deflate), which the app then asks again without it; and a frame the server refuses
 * (400 or 404) that the app then reads from the instance asked whole, when that succeeds.
 * Any other failed request is a problem.
 */
export async function openPage(browser, path = '', options = {}) {
  const { login = true, ...pageOptions } = options;
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, ...pageOptions });
  if (login) await devLogin(page);
  const problems = [];
  const problemUrls = []; // beside `problems`, the URL a console error names
  const excused = new Set(); // frame URLs whose failure the app works around
  const refusedFrames = new Set(); // frame URLs answered 400 or 404
  const wholeInstances = new Set(); // instance URLs answered whole
  const isFailure = (text) => /Failed to load resource.* (400|404|500) /.test(text);
  const excuse = (url) => {
    excused.add(url);
    for (let i = problems.length - 1; i >= 0; i--) {
      if (problemUrls[i] === url && isFailure(problems[i])) {
        problems.splice(i, 1);
        problemUrls.splice(i, 1);
      }
    }
  };
  page.on('response', (response) => {
    const url = response.url();
    const accept = response.request().headers()['accept'] ?? '';
    const status = response.status();
    if (url.includes('/frames/') && status === 500 && accept.includes('transfer-syntax=*')) {
      excuse(url);
    } else if (url.includes('/frames/') && (status === 400 || status === 404)) {
      // The app keeps the last instance it read whole: its other frames come from it.
      if (wholeInstances.has(url.slice(0, url.indexOf('/frames/')))) excuse(url);
      else excused.delete(url);
      refusedFrames.add(url);
    } else if (/\/instances\/[0-9.]+$/.test(url) && status === 200) {
      wholeInstances.add(url);
      for (const frame of refusedFrames) if (frame.startsWith(`${url}/frames/`)) excuse(frame);
    } else {
      excused.delete(url);
    }
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url;
    if (excused.has(url) && isFailure(m.text())) return;
    problems.push(`console: ${m.text()}${url ? ` (${url})` : ''}`);
    problemUrls.push(url);
  });
  page.on('pageerror', (e) => {
    problems.push(`page error: ${e.message}`);
    problemUrls.push(undefined);
  });
  problemsOf.set(page, problems);
  await page.goto(new URL(path, BASE_URL).href);
  return { page, problems };
}

/** The console errors and page errors of each page opened by [`openPage`], so far. */
export const problemsOf = new WeakMap();

/** Signs the page's context in as the development clinician (a session cookie). */
export async function devLogin(page) {
  const response = await page.request.post(new URL('/api/dev-login', BASE_URL).href, { data: {} });
  if (response.status() !== 204) throw new Error(`development login refused: HTTP ${response.status()}`);
}
