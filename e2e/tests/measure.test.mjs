// Measurements, key images and their saving in the PACS (issue 8), on a study of its own
// (fixtures/make_measure.py: CT slices 30-32 as patient MEASURE-1). Values are checked against
// the known spacing and against the voxels read from the file by the test itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, openPage } from '../lib/browser.mjs';
import { explicitLeSamples } from '../lib/dicom.mjs';
import { Portal } from '../lib/viewer.mjs';
import { CT, CT_DIR } from '../lib/ct.mjs';

// ct-series/README.md: Pixel Spacing 0.6269531 mm.
const SPACING_MM = 0.6269531;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openStudy(page) {
  const portal = new Portal(page);
  await (await portal.studyRow('MEASURE-1')).click();
  await portal.waitForSlice(0);
  return portal;
}

/** Client coordinates of image point (x, y) in the fitted, centred image. */
async function clientOf(portal, [x, y]) {
  const box = await portal.canvas().boundingBox();
  const s = Math.min(box.width, box.height) / CT.columns;
  return [box.x + (box.width - CT.columns * s) / 2 + x * s, box.y + (box.height - CT.rows * s) / 2 + y * s];
}

async function drag(page, portal, from, to) {
  const a = await clientOf(portal, from);
  const b = await clientOf(portal, to);
  await page.mouse.move(...a);
  await page.mouse.down();
  await page.mouse.move(...b, { steps: 6 });
  await page.mouse.up();
}

async function click(page, portal, at) {
  const p = await clientOf(portal, at);
  await page.mouse.click(...p);
}

const annotations = (page) => page.locator('[data-testid=annotation]');
async function read(page) {
  return page.locator('[data-testid=annotation]').evaluateAll((gs) => gs.map((g) => ({
    kind: g.dataset.kind,
    saved: g.dataset.saved === 'true',
    points: g.dataset.points.split(' ').map((p) => p.split(',').map(Number)),
    values: Object.fromEntries(g.dataset.values.split(';').filter(Boolean).map((kv) => {
      const [k, v] = kv.split('=');
      return [k, Number(v)];
    })),
  })));
}

// The voxels of the study's three slices; which one the viewer shows first follows its own
// order along the stack normal, so the test finds it by the values it reads.
function sliceSamples() {
  return ['CT0030.dcm', 'CT0031.dcm', 'CT0032.dcm']
    .map((f) => explicitLeSamples(join(CT_DIR, f), CT.rows, CT.columns));
}

/** Mean, SD, min, max in HU of the pixels whose centre lies inside the shape. */
function regionStats(samples, kind, [[x0, y0], [x1, y1]]) {
  const [l, r] = [Math.min(x0, x1), Math.max(x0, x1)];
  const [t, b] = [Math.min(y0, y1), Math.max(y0, y1)];
  const values = [];
  for (let row = 0; row < CT.rows; row++) {
    for (let col = 0; col < CT.columns; col++) {
      const [cx, cy] = [col + 0.5, row + 0.5];
      let inside = cx >= l && cx <= r && cy >= t && cy <= b;
      if (kind === 'ellipse') {
        const [rx, ry] = [(r - l) / 2, (b - t) / 2];
        const [nx, ny] = [(cx - (l + r) / 2) / rx, (cy - (t + b) / 2) / ry];
        inside = nx * nx + ny * ny <= 1;
      }
      if (inside) values.push(samples[row * CT.columns + col] * CT.slope + CT.intercept);
    }
  }
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

test('lengths, angles, regions and probes are measured, saved as SR and KOS, and drawn again', async () => {
  const { page, problems } = await openPage(browser);
  let portal = await openStudy(page);
  const candidates = sliceSamples();

  // A length along a row: 200 pixels of 0.6269531 mm.
  await page.locator('[data-testid=tool-length]').click();
  await drag(page, portal, [100.5, 200.5], [300.5, 200.5]);
  let [length] = await read(page);
  assert.equal(length.kind, 'length');
  const pixels = Math.hypot(length.points[1][0] - length.points[0][0], length.points[1][1] - length.points[0][1]);
  assert.ok(Math.abs(length.values.length - pixels * SPACING_MM) < 1e-6, JSON.stringify(length));
  assert.ok(Math.abs(length.values.length - 200 * SPACING_MM) < SPACING_MM / 2,
    `${length.values.length} mm for 200 px of ${SPACING_MM} mm`);

  // A rectangle and an ellipse: statistics in HU equal to the voxels' inside the shape.
  await page.locator('[data-testid=tool-rectangle]').click();
  await drag(page, portal, [200, 260], [260, 300]);
  await page.locator('[data-testid=tool-ellipse]').click();
  await drag(page, portal, [300, 150], [380, 210]);
  await page.locator('[data-testid=tool-probe]').click();
  await click(page, portal, [150.5, 300.5]);
  // An angle: press-drag the first ray, then press for the second.
  await page.locator('[data-testid=tool-angle]').click();
  await drag(page, portal, [100, 400], [150, 400]);
  await click(page, portal, [150, 350]);
  const drawn = await read(page);
  assert.deepEqual(drawn.map((a) => a.kind), ['length', 'rectangle', 'ellipse', 'probe', 'angle']);
  const [, rect, ellipse, probe, angle] = drawn;
  // The slice shown: the candidate whose voxel under the probe gives the probe's value, and
  // whose region statistics match (three slices, one of them matches all).
  const matches = candidates.filter((samples) => {
    const [px, py] = probe.points[0].map(Math.floor);
    return samples[py * CT.columns + px] + CT.intercept === probe.values.value;
  });
  assert.ok(matches.length >= 1, `probe ${JSON.stringify(probe)}`);
  const shown = matches.find((samples) => {
    const s = regionStats(samples, 'rectangle', rect.points);
    return Math.abs(s.mean - rect.values.mean) < 1e-6;
  });
  assert.ok(shown, `no slice gives the rectangle's mean ${rect.values.mean}`);
  for (const [shape, kind] of [[rect, 'rectangle'], [ellipse, 'ellipse']]) {
    const s = regionStats(shown, kind, shape.points);
    for (const k of ['mean', 'sd', 'min', 'max']) {
      assert.ok(Math.abs(s[k] - shape.values[k]) < 1e-6, `${kind} ${k}: ${shape.values[k]} vs ${s[k]}`);
    }
  }
  const [[ax, ay], [vx, vy], [bx, by]] = angle.points;
  const expected = Math.abs(Math.atan2((ax - vx) * (by - vy) - (ay - vy) * (bx - vx),
    (ax - vx) * (bx - vx) + (ay - vy) * (by - vy))) * 180 / Math.PI;
  assert.ok(Math.abs(angle.values.angle - expected) < 1e-6 && Math.abs(expected - 90) < 3, `${angle.values.angle}`);
  assert.match(await page.locator('[data-testid=annotation-layer]').textContent(), /12\d\.\d\d mm/);

  // Key image: the visible slice.
  await page.locator('[data-testid=key-image]').click();
  assert.equal(await page.locator('[data-testid=key-image]').getAttribute('aria-pressed'), 'true');

  // Delete with the keyboard: the selected (last drawn) annotation goes.
  await portal.viewport().focus();
  await page.keyboard.press('Delete');
  assert.equal(await annotations(page).count(), 4);

  await page.locator('[data-testid=save-annotations]').click();
  await page.waitForSelector('[data-testid=save-annotations][data-state=saved]', { timeout: 30_000 });

  // The PACS holds a Comprehensive SR (TID 1500) and a KOS in the study.
  const study = await page.evaluate(async () => {
    const answer = await fetch('/dicom-web/studies?PatientID=MEASURE-1', { headers: { Accept: 'application/dicom+json' } });
    return (await answer.json())[0]['0020000D'].Value[0];
  });
  const modalities = await page.evaluate(async (uid) => {
    const answer = await fetch(`/dicom-web/studies/${uid}/series`, { headers: { Accept: 'application/dicom+json' } });
    return (await answer.json()).map((s) => s['00080060'].Value[0]).sort();
  }, study);
  assert.deepEqual(modalities, ['CT', 'KO', 'SR']);

  // Reopened: the same shapes, read from the report, and the key image flagged.
  // The page's URL is the study's: a reload opens it again.
  await page.reload();
  await portal.waitForSlice(0);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=annotation]').length === 4, null, { timeout: 30_000 });
  const reread = await read(page);
  assert.deepEqual(reread.map((a) => a.kind), ['length', 'rectangle', 'ellipse', 'probe']);
  reread.forEach((a, i) => {
    assert.ok(a.saved, `${a.kind} read from the report`);
    a.points.flat().forEach((v, j) => assert.ok(Math.abs(v - drawn[i].points.flat()[j]) < 1e-3, `${a.kind} point ${j}`));
    for (const [k, v] of Object.entries(drawn[i].values)) {
      assert.ok(Math.abs(a.values[k] - v) < 1e-2, `${a.kind} ${k}: ${a.values[k]} vs ${v}`);
    }
  });
  assert.equal(await page.locator('[data-testid=key-image]').getAttribute('aria-pressed'), 'true');
  // Key images only: the cell shows the one flagged slice, then the series again.
  await page.locator('[data-testid=key-images-only]').click();
  await page.waitForSelector('[data-testid=viewport][data-slices="1"][data-state=ready]', { timeout: 30_000 });
  await page.locator('[data-testid=key-images-only]').click();
  await page.waitForSelector('[data-testid=viewport][data-slices="3"][data-state=ready]', { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=annotation]').length === 4, null, { timeout: 30_000 });

  // Edited and saved again: the new report replaces the old one (one length, moved).
  const end = await clientOf(portal, reread[0].points[1]);
  await page.mouse.move(...end);
  await page.mouse.down();
  await page.mouse.move(end[0], end[1] + 40, { steps: 4 });
  await page.mouse.up();
  await page.locator('[data-testid=save-annotations]').click();
  await page.waitForSelector('[data-testid=save-annotations][data-state=saved]', { timeout: 30_000 });
  // The page's URL is the study's: a reload opens it again.
  await page.reload();
  await portal.waitForSlice(0);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=annotation]').length >= 4, null, { timeout: 30_000 });
  await page.waitForTimeout(500);
  const third = await read(page);
  assert.equal(third.filter((a) => a.kind === 'length').length, 1, JSON.stringify(third.map((a) => a.kind)));
  assert.ok(third[0].values.length > reread[0].values.length, 'the moved end made the line longer');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a length drawn by two clicks, and leaving with it unsaved asks first', { timeout: 120_000 }, async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openStudy(page);
  await page.locator('[data-testid=tool-length]').click();
  // First click: the second point follows the pointer; second click: it is placed.
  await click(page, portal, [100.5, 250.5]);
  const moving = await clientOf(portal, [200.5, 250.5]);
  await page.mouse.move(...moving, { steps: 3 });
  await click(page, portal, [300.5, 250.5]);
  // (The study may hold lengths saved by the test before: the new one is the unsaved one.)
  const drawn = (await read(page)).filter((a) => !a.saved);
  assert.equal(drawn.length, 1, JSON.stringify(drawn));
  const [length] = drawn;
  assert.equal(length.kind, 'length');
  assert.ok(Math.abs(length.values.length - 200 * SPACING_MM) < SPACING_MM / 2, JSON.stringify(length));
  const count = await annotations(page).count();

  // The way back to the list asks; "cancel" stays on the study, "OK" leaves.
  const answers = [];
  page.on('dialog', async (dialog) => {
    answers.push(dialog.type());
    if (answers.length === 1) await dialog.dismiss(); else await dialog.accept();
  });
  await page.locator('[data-testid=back]').click();
  await page.waitForTimeout(300);
  assert.deepEqual(answers, ['confirm']);
  assert.equal(await annotations(page).count(), count, 'still on the study');
  await page.locator('[data-testid=back]').click();
  await page.locator('[data-testid=study-list]').waitFor({ timeout: 30_000 });
  assert.deepEqual(answers, ['confirm', 'confirm']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('leaving the page with unsaved measurements asks the browser\'s question', { timeout: 120_000 }, async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openStudy(page);
  await page.locator('[data-testid=tool-length]').click();
  await drag(page, portal, [100.5, 200.5], [300.5, 200.5]);
  const asked = new Promise((resolve) => {
    page.on('dialog', async (dialog) => {
      resolve(dialog.type());
      await dialog.accept();
    });
  });
  // Sent elsewhere (as closing the tab or reloading would): the browser asks first.
  await page.goto('about:blank');
  assert.equal(await asked, 'beforeunload');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the browser\'s back button on a study with unsaved measurements asks first', { timeout: 120_000 }, async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openStudy(page);
  const studyUrl = page.url();
  await page.locator('[data-testid=tool-length]').click();
  await drag(page, portal, [100.5, 200.5], [300.5, 200.5]);
  const count = await annotations(page).count();
  const answers = [];
  page.on('dialog', async (dialog) => {
    answers.push(dialog.type());
    if (answers.length === 1) await dialog.dismiss(); else await dialog.accept();
  });
  // "Cancel": the study stays, its measurement with it, its address back in the bar.
  await page.evaluate(() => history.back());
  await page.waitForFunction((url) => location.href === url, studyUrl);
  await page.waitForTimeout(300);
  assert.deepEqual(answers, ['confirm']);
  assert.equal(await annotations(page).count(), count, 'still on the study, measurement kept');
  // "OK": the list.
  await page.evaluate(() => history.back());
  await page.locator('[data-testid=study-list]').waitFor({ timeout: 30_000 });
  assert.deepEqual(answers, ['confirm', 'confirm']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a length\'s ends are where the pointer was, to a fraction of a pixel', { timeout: 120_000 }, async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openStudy(page);
  await page.locator('[data-testid=tool-length]').click();
  // Two lengths whose ends are a quarter and three quarters of a CSS pixel past the same
  // whole pixels (the second 40 pixels lower, away from the first's handles), in a part of
  // the image where an earlier test saved nothing.
  const [x1, y1] = (await clientOf(portal, [100, 330])).map(Math.floor);
  const x2 = x1 + 200;
  const drawLength = async (dx, dy) => {
    await page.mouse.move(x1 + dx, y1 + dy);
    await page.mouse.down();
    await page.mouse.move(x2 + dx, y1 + dy, { steps: 6 });
    await page.mouse.up();
  };
  await drawLength(0.25, 0.25);
  await drawLength(0.75, 40.75);
  const [a, b] = (await read(page)).filter((x) => !x.saved && x.kind === 'length');
  // Image pixels per CSS pixel, from the first length (200 whole CSS pixels long).
  const k = (a.points[1][0] - a.points[0][0]) / 200;
  const shift = [b.points[0][0] - a.points[0][0], b.points[0][1] - a.points[0][1]];
  // Cut to whole pixels, the shift would be (0, 40 k): the half pixel would be lost.
  assert.ok(Math.abs(shift[0] - 0.5 * k) < 0.01 && Math.abs(shift[1] - 40.5 * k) < 0.01,
    `shift ${shift} for k ${k}`);
  assert.deepEqual(problems, []);
  await page.close();
});
