// The share dialog (issue 25): the validity's range said, the patient's handout (the link as
// a QR code that decodes to it, the code apart below a cut line), the access kind in the list,
// and a share locked by wrong codes given a new code that opens it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { launch, openPage, BASE_URL } from '../lib/browser.mjs';

const api = (path) => new URL(path, BASE_URL).href;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const refusedOnPurpose = (problems) => problems.filter((p) => !/status of (401|423) /.test(p));

async function clinicianOnCt() {
  const { page, problems } = await openPage(browser, '', { login: false });
  await page.locator('[data-testid=dev-login]').waitFor({ timeout: 30_000 });
  assert.equal((await page.request.post(api('/api/dev-login'), { data: {} })).status(), 204);
  const answer = await page.request.get(api('/dicom-web/studies?PatientID=CT-REAL-1'),
    { headers: { Accept: 'application/dicom+json' } });
  const study = (await answer.json())[0]['0020000D'].Value[0];
  await page.goto(api(`?study=${study}`));
  await page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  await page.locator('[data-testid=share-open]').click();
  return { page, problems, dialog: page.locator('[data-testid=share-dialog]') };
}

/** Tries `code` on the share of `token` from a browser of its own: the answer's status. */
async function tryCode(page, token, code) {
  return page.evaluate(async ({ token, code }) => {
    const answer = await fetch('/api/share-sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token, access_code: code }),
    });
    return answer.status;
  }, { token, code });
}

test('the share dialog says the validity range, prints the patient\'s handout, and unlocks a locked share with a new code', { timeout: 180_000 }, async () => {
  const { page, problems, dialog } = await clinicianOnCt();
  const days = dialog.locator('[data-testid=share-days]');
  const range = dialog.locator('[data-testid=share-days-range]');
  assert.match(await range.innerText(), /Entre 1 et 90 jours/);
  for (const [typed, wrong] of [['0', true], ['91', true], ['', true], ['30', false]]) {
    await days.fill(typed);
    assert.equal(await range.evaluate((e) => e.classList.contains('error')), wrong, `${typed} days`);
    assert.equal(await days.getAttribute('aria-invalid'), String(wrong));
  }
  await dialog.locator('[data-testid=share-access-code]').selectOption('code');
  await dialog.locator('[data-testid=share-consent-confirm]').check();
  await dialog.locator('[data-testid=share-create]').click();
  const result = dialog.locator('[data-testid=share-result]');
  await result.waitFor({ timeout: 30_000 });
  const link = await result.locator('[data-testid=share-link]').inputValue();
  const code = (await result.locator('[data-testid=share-code-value]').innerText()).trim();
  const id = await result.getAttribute('data-share-id');

  // The handout, as the print dialog would get it.
  await page.evaluate(() => {
    window.print = () => {
      const sheet = document.querySelector('[data-testid=handout-sheet]');
      window.__handout = {
        text: sheet.innerText,
        link: sheet.querySelector('[data-testid=handout-link]').textContent,
        slip: sheet.querySelector('[data-testid=handout-slip]').innerText,
        qr: new XMLSerializer().serializeToString(sheet.querySelector('[data-testid=handout-qr]')),
        printing: document.body.classList.contains('printing'),
      };
    };
  });
  await result.locator('[data-testid=share-handout]').click();
  await page.waitForFunction(() => window.__handout, null, { timeout: 30_000 });
  const handout = await page.evaluate(() => window.__handout);
  assert.ok(handout.printing);
  assert.equal(handout.link, link);
  for (const expected of [/CHU de démonstration/, /01 23 45 67 89/, /Vos images médicales en ligne/,
    /Pour : LUNG CT REAL/, /Ce lien marche jusqu'au \d{2}\/\d{2}\/\d{4}/, /ne remplacent pas le compte rendu/]) {
    assert.match(handout.text, expected);
  }
  assert.ok(!handout.text.split(handout.slip)[0].includes(code), 'the code is only on the slip');
  assert.ok(handout.slip.includes(`${code.slice(0, 3)} ${code.slice(3)}`), handout.slip);
  assert.match(handout.slip, /gardez-le à part/);
  assert.equal(await page.locator('[data-testid=handout-sheet]').count(), 0, 'the sheet goes after printing');
  // The QR code, drawn 8 pixels a module, decodes to the link.
  const qr = await page.evaluate(async (svg) => {
    const image = new Image();
    image.src = `data:image/svg+xml;base64,${btoa(svg)}`;
    await image.decode();
    const side = image.naturalWidth > 0 ? 8 * 45 : 0;
    const canvas = Object.assign(document.createElement('canvas'), { width: side, height: side });
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, 0, 0, side, side);
    return { side, rgba: Array.from(ctx.getImageData(0, 0, side, side).data) };
  }, handout.qr);
  const decoded = jsQR(Uint8ClampedArray.from(qr.rgba), qr.side, qr.side);
  assert.equal(decoded?.data, link);

  // Five wrong codes from the patient's browser lock the share (tries 1 s apart at least).
  const token = new URL(link).hash.slice(1);
  const patient = await openPage(browser, '', { login: false });
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  let status;
  for (let i = 0; i < 6 && status !== 423; i++) {
    await patient.page.waitForTimeout(1100);
    status = await tryCode(patient.page, token, wrong);
  }
  assert.equal(status, 423);

  // The dialog, opened again, lists it locked, opened by a code; a new code opens it again.
  await dialog.locator('[data-testid=share-close]').click();
  await page.locator('[data-testid=share-open]').click();
  const row = dialog.locator(`[data-testid=share-row][data-share-id="${id}"]`);
  await row.and(page.locator('[data-state=locked]')).waitFor({ timeout: 30_000 });
  assert.equal((await row.locator('[data-testid=share-access]').innerText()).trim(), 'Code');
  await row.locator('[data-testid=share-new-code]').click();
  const renewed = row.locator('[data-testid=share-new-code-value]');
  await renewed.waitFor({ timeout: 30_000 });
  const newCode = await renewed.getAttribute('data-code');
  assert.match(newCode, /^\d{6}$/);
  assert.match(await renewed.innerText(), /L'ancien ne marche plus/);
  assert.equal(await row.getAttribute('data-state'), 'active');
  await patient.page.waitForTimeout(1100);
  assert.equal(await tryCode(patient.page, token, newCode), 200);

  assert.deepEqual(refusedOnPurpose(patient.problems), []);
  assert.deepEqual(refusedOnPurpose(problems), []);
  await patient.page.close();
  await page.close();
});

test('a link opened by the birth date takes it day first, whatever the browser\'s locale', { timeout: 120_000 }, async () => {
  // An English (US) browser, whose date picker would ask month first.
  const { page: doctor } = await openPage(browser, 'about:blank');
  const studies = await (await doctor.request.get(api('/dicom-web/studies?includefield=00100030'),
    { headers: { Accept: 'application/dicom+json' } })).json();
  const dated = studies.find((s) => s['00100030']?.Value?.[0]?.length === 8);
  assert.ok(dated, 'a study with a birth date');
  const birth = dated['00100030'].Value[0];
  const answer = await doctor.request.post(api('/api/shares'), {
    data: {
      study_uid: dated['0020000D'].Value[0], recipient: 'patient', expires_in_days: 7, access_code: 'birth_date',
      consent: { given_by: 'patient', method: 'oral', given_at: Math.floor(Date.now() / 1000) },
    },
  });
  assert.equal(answer.status(), 201);
  const link = api((await answer.json()).link);
  await doctor.close();
  const { page, problems } = await openPage(browser, link, { login: false, locale: 'en-US' });
  const field = page.locator('[data-testid=share-birth-date]');
  await field.waitFor({ timeout: 30_000 });
  assert.equal(await field.getAttribute('type'), 'text');
  assert.match(await field.getAttribute('placeholder'), /^(jj\/mm\/aaaa|dd\/mm\/yyyy)$/);
  await field.fill(`${birth.slice(6)}/${birth.slice(4, 6)}/${birth.slice(0, 4)}`);
  await page.locator('[data-testid=share-code-submit]').click();
  await page.locator('[data-testid=shared-study]').waitFor({ timeout: 30_000 });
  assert.deepEqual(problems.filter((p) => !/status of 401 /.test(p)), []);
  await page.close();
});
