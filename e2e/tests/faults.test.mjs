// Real faults, not simulated answers: the PACS process killed while a series loads and started
// again ten seconds later; the gateway killed and started again. The tests run their own
// Orthanc (the shared CT only) and their own gateway, so that the other tests' PACS and
// gateway are never touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { assertCtSlice, ctFile, CT_DIR } from '../lib/ct.mjs';

const ROOT = join(import.meta.dirname, '../..');
const WORK = join(process.env.E2E_WORK ?? join(ROOT, '.data/e2e'), 'faults');
const PACS_DIR = join(WORK, 'pacs');

let browser;
let gateway;
let gatewayPort;
let pacsPort;
let portal;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const pacs = (...args) => execFileSync(join(ROOT, 'scripts/pacs.sh'), args, { stdio: ['ignore', 'ignore', 'inherit'] });

async function untilAnswers(url, seconds) {
  for (let i = 0; i < seconds * 10; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer in ${seconds} s`);
}

/** Starts this test's gateway (again) on its port and database. */
async function startGateway() {
  // GATEWAY_BIN is relative to the repository, as scripts/e2e.sh takes it.
  gateway = spawn(resolve(ROOT, process.env.GATEWAY_BIN ?? 'target/server/gateway'), ['serve'], {
    env: {
      ...process.env,
      GATEWAY_LISTEN: `127.0.0.1:${gatewayPort}`,
      GATEWAY_DIST: join(ROOT, 'dist'),
      PACS_URL: `http://127.0.0.1:${pacsPort}/dicom-web`,
      DATABASE_URL: `sqlite://${join(WORK, 'gateway.sqlite')}?mode=rwc`,
      GATEWAY_DEV_LOGIN: '1',
    },
    stdio: 'ignore',
  });
  await untilAnswers(`${portal}/api/site`, 20);
}

before(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  pacsPort = await freePort();
  pacs('start', PACS_DIR, String(pacsPort));
  pacs('load', PACS_DIR, CT_DIR);
  gatewayPort = await freePort();
  portal = `http://127.0.0.1:${gatewayPort}`;
  await startGateway();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  gateway?.kill('SIGKILL');
  try { pacs('stop', PACS_DIR); } catch { /* already stopped */ }
});

test('the PACS killed while a series loads: the series completes when it is back, every pixel right', async () => {
  // Signed in on this test's gateway before the portal's page is first asked.
  const { page, problems } = await openPage(browser, 'about:blank', { login: false });
  const login = await page.request.post(`${portal}/api/dev-login`, { data: {} });
  assert.equal(login.status(), 204);
  // The first frames pass; the others wait at the browser's door until the PACS is down, so
  // that the kill falls in the middle of the load.
  let killed = false;
  let passed = 0;
  const held = [];
  await page.route('**/frames/**', async (route) => {
    if (killed || passed < 4) {
      passed += 1;
      return route.continue();
    }
    held.push(route);
  });
  await page.goto(`${portal}/`);
  const viewer = new Portal(page);
  await (await viewer.studyRow('CT-REAL-1')).click();
  await viewer.waitForSlice(0);
  const pid = readFileSync(join(PACS_DIR, 'orthanc.pid'), 'utf8').trim();
  process.kill(Number(pid), 'SIGKILL');
  killed = true;
  for (const route of held.splice(0)) route.continue().catch(() => {});
  await page.waitForTimeout(10_000);
  const loadedWhileAway = Number(await viewer.viewport().getAttribute('data-loaded'));
  assert.ok(loadedWhileAway < 61, `${loadedWhileAway} slices loaded with the PACS down`);
  assert.notEqual(await viewer.viewport().getAttribute('data-state'), 'error', 'no error for an outage');
  pacs('start', PACS_DIR, String(pacsPort));
  await page.waitForSelector('[data-testid=viewport][data-loaded="61"]', { timeout: 90_000 });
  // Slices display what their files hold: the first, and slices loaded after the restart.
  await assertCtSlice(viewer, ctFile(0));
  const box = await viewer.canvas().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 30; i += 1) await page.mouse.wheel(0, 120);
  await viewer.waitForSlice(30);
  await assertCtSlice(viewer, ctFile(30));
  await viewer.viewport().focus();
  await page.keyboard.press('End');
  await viewer.waitForSlice(60);
  await assertCtSlice(viewer, ctFile(60));
  assert.equal(await page.locator('[data-testid=viewport][data-state=error]').count(), 0);
  // The outage's own failures (502 from the gateway without its PACS) are logged by the
  // browser; nothing else may be.
  const others = problems.filter((p) => !/status of 502|ERR_FAILED/.test(p));
  assert.deepEqual(others, []);
  await page.close();
});

test('the gateway killed and started again: the clinician stays signed in, a share link still opens', async () => {
  const { page, problems } = await openPage(browser, 'about:blank', { login: false });
  assert.equal((await page.request.post(`${portal}/api/dev-login`, { data: {} })).status(), 204);
  const studies = await page.request.get(`${portal}/dicom-web/studies?PatientID=CT-REAL-1`,
    { headers: { Accept: 'application/dicom+json' } });
  const study = (await studies.json())[0]['0020000D'].Value[0];
  const made = await page.request.post(`${portal}/api/shares`, {
    data: {
      study_uid: study, recipient: 'patient', expires_in_days: 7, access_code: 'none',
      consent: { given_by: 'patient', method: 'oral', given_at: Math.floor(Date.now() / 1000) },
    },
  });
  assert.equal(made.status(), 201, await made.text());
  const { link } = await made.json();

  gateway.kill('SIGKILL');
  await new Promise((r) => gateway.once('exit', r));
  await startGateway();

  const session = await page.request.get(`${portal}/api/session`);
  assert.equal(session.status(), 200, 'the session outlives the process');
  assert.equal((await session.json()).kind, 'clinician');
  const recipient = await openPage(browser, `${portal}${link}`, { login: false });
  const viewer = new Portal(recipient.page);
  await recipient.page.locator('[data-testid=shared-study]').waitFor({ timeout: 30_000 });
  await viewer.waitForSlice(0);
  await assertCtSlice(viewer, ctFile(0));
  assert.deepEqual(recipient.problems, []);
  assert.deepEqual(problems, []);
  await recipient.page.close();
  await page.close();
});
