// Real faults, not simulated answers: the PACS process killed while a series loads and started
// again ten seconds later; the gateway killed and started again; one of two gateway copies
// behind a load balancer (HAProxy) killed while a series loads. The tests run their own
// Orthanc (the shared CT only) and their own gateway, so that the other tests' PACS and
// gateway are never touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Starts a copy of this test's gateway on `port` (by default its own, again), on its database. */
async function startGateway(port = gatewayPort) {
  // GATEWAY_BIN is relative to the repository, as scripts/e2e.sh takes it.
  const started = spawn(resolve(ROOT, process.env.GATEWAY_BIN ?? 'target/server/gateway'), ['serve'], {
    env: {
      ...process.env,
      GATEWAY_LISTEN: `127.0.0.1:${port}`,
      GATEWAY_DIST: join(ROOT, 'dist'),
      PACS_URL: `http://127.0.0.1:${pacsPort}/dicom-web`,
      DATABASE_URL: `sqlite://${join(WORK, 'gateway.sqlite')}?mode=rwc`,
      GATEWAY_DEV_LOGIN: '1',
      // The load balancer of the last test, on this machine.
      GATEWAY_TRUSTED_PROXIES: '127.0.0.1',
    },
    stdio: 'ignore',
  });
  if (port === gatewayPort) gateway = started;
  await untilAnswers(`http://127.0.0.1:${port}/api/site`, 20);
  return started;
}

/** A page of this test's browser signed in (development login) on `origin` before it asks anything. */
async function signedIn(origin) {
  const opened = await openPage(browser, 'about:blank', { login: false });
  assert.equal((await opened.page.request.post(`${origin}/api/dev-login`, { data: {} })).status(), 204);
  return opened;
}

/**
 * Frames after the first `passing` wait at the browser's door: a fault then falls in the
 * middle of the load. `release(n)` lets n of the waiting ones go, `open()` all, from then on.
 */
async function holdFrames(page, passing = 4) {
  let opened = false;
  let passed = 0;
  const held = [];
  await page.route('**/frames/**', async (route) => {
    if (opened || passed < passing) {
      passed += 1;
      return route.continue();
    }
    held.push(route);
  });
  const release = (count = held.length) => {
    for (const route of held.splice(0, count)) route.continue().catch(() => {});
  };
  return { release, open: () => { opened = true; release(); } };
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
  const { page, problems } = await signedIn(portal);
  // The first frames pass; the others wait until the PACS is down.
  const frames = await holdFrames(page);
  await page.goto(`${portal}/`);
  const viewer = new Portal(page);
  await (await viewer.studyRow('CT-REAL-1')).click();
  await viewer.waitForSlice(0);
  const pid = readFileSync(join(PACS_DIR, 'orthanc.pid'), 'utf8').trim();
  process.kill(Number(pid), 'SIGKILL');
  frames.open();
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
  const { page, problems } = await signedIn(portal);
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

test('two gateway copies behind a load balancer, one killed mid-load: the page carries on', async () => {
  // HAProxy (Debian) in front of this test's gateway and a second copy on the same database:
  // round robin, a health check every half second.
  const secondPort = await freePort();
  const second = await startGateway(secondPort);
  const balancerPort = await freePort();
  const config = join(WORK, 'haproxy.cfg');
  const copies = [gatewayPort, secondPort];
  writeFileSync(config, [
    'global', '  maxconn 256',
    'defaults', '  mode http', '  timeout connect 2s', '  timeout client 60s', '  timeout server 60s',
    '  retries 2', '  option redispatch', '  option forwardfor',
    'frontend portal', `  bind 127.0.0.1:${balancerPort}`, '  default_backend gateways',
    'backend gateways', '  balance roundrobin', '  option httpchk GET /api/site',
    '  default-server inter 500ms fall 2 rise 2',
    ...copies.map((port, i) => `  server copy${i} 127.0.0.1:${port} check`),
    '',
  ].join('\n'));
  const balancer = spawn('/usr/sbin/haproxy', ['-f', config, '-db'], { stdio: 'ignore' });
  const front = `http://127.0.0.1:${balancerPort}`;
  try {
    await untilAnswers(`${front}/api/site`, 20);
    const { page, problems } = await signedIn(front);
    const frames = await holdFrames(page);
    await page.goto(`${front}/`);
    const viewer = new Portal(page);
    await (await viewer.studyRow('CT-REAL-1')).click();
    await viewer.waitForSlice(0);
    // The second copy dies with requests on their way to it.
    frames.release(6);
    second.kill('SIGKILL');
    frames.open();
    await page.waitForSelector('[data-testid=viewport][data-loaded="61"]', { timeout: 90_000 });
    await viewer.viewport().focus();
    await page.keyboard.press('End');
    await viewer.waitForSlice(60);
    await assertCtSlice(viewer, ctFile(60));
    assert.equal(await page.locator('[data-testid=viewport][data-state=error]').count(), 0);
    // The session made through one copy is the other's too: the page is still signed in.
    assert.equal((await page.request.get(`${front}/api/session`)).status(), 200);
    // The killed copy's answers end as it dies (refused, empty, or cut short mid-frame): the
    // browser logs them; what counts is that every slice above still came right.
    const others = problems.filter((p) => !/status of (502|503)|ERR_FAILED|ERR_EMPTY_RESPONSE|ERR_CONTENT_LENGTH_MISMATCH/.test(p));
    assert.deepEqual(others, []);
    await page.close();
  } finally {
    balancer.kill('SIGKILL');
    second.kill('SIGKILL');
  }
});
