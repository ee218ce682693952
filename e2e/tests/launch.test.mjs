// The DRIMbox contextual launch (issue 24) on the regional gateway of scripts/e2e.sh: a
// patient record's page served here at another site (http://localhost:<port>, the portal being
// http://127.0.0.1:<port>, so the browser treats the form's POST as cross-site and sends no
// session cookie with it) posts the launch form when the clinician clicks its button. The
// study opens with the patient's national identity first in the banner; an identity that
// differs from the images' opens nothing until the clinician confirms it; the patient's
// opposition opens nothing; a clinician not yet signed in signs in and lands on the study.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launch } from '../lib/browser.mjs';
import { REGIONAL, studies, doctorOf, assertText, shot } from '../lib/regional.mjs';

const DPI_PORT = Number(process.env.E2E_DPI_PORT ?? 8082);
const DPI = `http://localhost:${DPI_PORT}/`;
const TEST_INS_OID = '1.2.250.1.213.1.4.10';

let browser;
let dpi;
/** The form each path of the record's server posts: `/<case>` → its fields. */
const forms = new Map();

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

before(async () => {
  browser = await launch();
  dpi = createServer((request, response) => {
    const fields = forms.get(new URL(request.url, DPI).pathname) ?? {};
    const inputs = Object.entries(fields)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
      .join('');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>DPI</title><form method="post" action="${escape(new URL('launch/drimbox', REGIONAL))}">${inputs}<button id="voir">Voir les images</button></form>`);
  });
  await new Promise((resolve) => dpi.listen(DPI_PORT, resolve));
});
after(async () => {
  await browser?.close();
  dpi?.close();
});

/** The launch of RGN-N1's study as the record knows the patient, with `changes` (`null`: the
 * parameter left out). */
function launchOf(name, changes = {}) {
  const n1 = studies().n1;
  forms.set(`/${name}`, {
    'Patient.identifier.value': n1.ins,
    'Patient.identifier.system': TEST_INS_OID,
    'Patient.name.family': 'REGION',
    'Patient.name.given': 'NORD1',
    'Patient.gender': 'male',
    'Patient.birthDate': '1970-01-01',
    'Address.district': '75056',
    InformationEtOppositionConsultation: 'true',
    PatientID: 'RGN-N1',
    PatientIDIssuer: 'REGION-NORD',
    StudyInstanceUID: n1.study,
    ...changes,
  });
  return `${DPI}${name}`;
}

/** The clinician clicks the record's button. */
async function fromRecord(page, url) {
  await page.goto(url);
  await page.locator('#voir').click();
}

test('a launch from the patient record opens the study with the national identity first, at every size', { timeout: 240_000 }, async () => {
  const n1 = studies().n1;
  const nord = await doctorOf(browser, 'nord');
  const { page } = nord;
  await fromRecord(page, launchOf('match'));
  await page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.equal(new URL(page.url()).searchParams.get('study'), n1.study);
  await assertText(page.locator('[data-testid=strict-traits]'), /^REGION NORD1$/);
  await assertText(page.locator('[data-testid=strict-born]'), /01\/01\/1970/);
  await assertText(page.locator('[data-testid=local-id]'), /RGN-N1 \(Centre hospitalier du Nord \(test\)\)/);
  assert.match(await page.locator('[data-testid=ins-test]').innerText(), /identité de test/);
  // The INS and its OID on demand.
  assert.equal(await page.locator('[data-testid=ins-detail]').count(), 0);
  await page.locator('[data-testid=ins-toggle]').click();
  await assertText(page.locator('[data-testid=ins-detail]'), new RegExp(`${n1.ins} · INS-NIR de test \\(${TEST_INS_OID.replaceAll('.', '\\.')}\\)`));
  for (const [width, height] of [[1440, 900], [1024, 768], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300);
    const banner = page.locator('[data-testid=patient-banner]');
    for (const part of ['ins-badge', 'strict-traits', 'local-id']) {
      const box = await banner.locator(`[data-testid=${part}]`).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= width + 1, `${part} at ${width}: ${JSON.stringify(box)}`);
    }
    await page.screenshot({ path: shot(`launch-ins-banner-${width}`) });
  }
  assert.deepEqual(nord.problems, []);
  await nord.context.close();
});

test('an identity that differs from the images\' opens nothing until the clinician confirms it', { timeout: 240_000 }, async () => {
  const nord = await doctorOf(browser, 'nord');
  const { page } = nord;
  await fromRecord(page, launchOf('mismatch', { 'Patient.birthDate': '1971-01-01' }));
  const warning = page.locator('[data-testid=launch-mismatch]');
  await assertText(warning, /l'identité ne correspond pas/);
  assert.equal(await page.locator('[data-testid=viewport]').count(), 0, 'nothing opened');
  const rows = page.locator('[data-testid=identity-comparison] tbody tr');
  const differing = await rows.evaluateAll((trs) => trs.filter((tr) => tr.dataset.differs === 'true').map((tr) => tr.innerText));
  assert.equal(differing.length, 1, differing.join(' | '));
  assert.match(differing[0], /01\/01\/1971[\s\S]*01\/01\/1970/);
  for (const [width, height] of [[1440, 900], [1024, 768], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(200);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= width, `the comparison fits at ${width} (${wide})`);
    await page.screenshot({ path: shot(`launch-mismatch-${width}`) });
  }
  await page.locator('[data-testid=launch-confirm]').click();
  await page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  await nord.context.close();
});

test('a launch without a study opens the patient\'s studies across sites by INS, filtered as the record asks', { timeout: 240_000 }, async () => {
  const n1 = studies().n1;
  const nord = await doctorOf(browser, 'nord');
  const { page } = nord;
  const fields = { StudyInstanceUID: null, StudyDate: '20190101-20190131', Modality: 'CT' };
  await fromRecord(page, launchOf('timeline', fields));
  await page.locator('[data-testid=national-timeline]').waitFor({ timeout: 60_000 });
  await assertText(page.locator('[data-testid=ins-filtered]'), /CT, 01\/01\/2019 – 31\/01\/2019/);
  const shown = page.locator('[data-testid=timeline-study]');
  for (let i = 0; i < 100 && (await shown.count()) < 1; i++) await page.waitForTimeout(100);
  assert.deepEqual(await shown.evaluateAll((s) => s.map((e) => e.dataset.study)), [n1.study]);
  await page.locator('[data-testid=ins-unfilter]').click();
  await page.locator('[data-testid=ins-filtered]').waitFor({ state: 'detached', timeout: 30_000 });
  // The unfiltered list, once the page has read it again.
  await shown.first().waitFor({ timeout: 30_000 });
  assert.ok((await shown.count()) >= 1);
  assert.deepEqual(nord.problems, []);
  await nord.context.close();
});

test('the patient\'s opposition opens nothing, and a clinician not signed in signs in on the way', { timeout: 240_000 }, async () => {
  const nord = await doctorOf(browser, 'nord');
  await fromRecord(nord.page, launchOf('opposed', { InformationEtOppositionConsultation: 'false' }));
  await assertText(nord.page.locator('[data-testid=launch-opposition]'), /opposé à la consultation/);
  assert.equal(await nord.page.locator('[data-testid=viewport]').count(), 0);
  await nord.context.close();

  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await fromRecord(page, launchOf('signed-out'));
  await page.locator('[data-testid=dev-login][data-site=nord]').click();
  await page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  await assertText(page.locator('[data-testid=strict-traits]'), /REGION NORD1/);
  await context.close();
});
