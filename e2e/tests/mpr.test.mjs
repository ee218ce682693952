// Multiplanar reformats (issue 26): the MPR layout of the real CT. The coronal and sagittal
// views equal the test's own reformat of the voxels read from the files (nearest sample, ±1
// grey level after the window) at known crosshair positions; a click in one view moves the
// others' planes; a MIP slab equals the test's maximum; the markers of each plane; a length
// on the coronal view in mm from the geometry; oblique planes; nothing covers the safety
// texts at three sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal, canvasRgba } from '../lib/viewer.mjs';
import { CT, CT_DIR } from '../lib/ct.mjs';
import { explicitLeSamples, displayByte } from '../lib/dicom.mjs';
import { collisions, screenshot, SAFE } from '../lib/safety.mjs';

// ct-series/README.md: 512 x 512 x 61, 0.6269531 mm pixels, 5 mm apart, axis-aligned, the first
// pixel of the lowest slice (CT0001) at (-170.5, -324.5, -360) in LPS; CT0061 at z = -60.
const SPACING = 0.6269531;
const STEP = 5;
const ORIGIN = [-170.5, -324.5, -360];
const SLICES = 61;

let browser;
let volume;
before(async () => {
  browser = await launch();
  // The voxels as the files hold them, slot k = CT{k+1}, stored values (rescale -1024).
  volume = Array.from({ length: SLICES }, (_, k) =>
    explicitLeSamples(join(CT_DIR, `CT${String(k + 1).padStart(4, '0')}.dcm`), CT.rows, CT.columns));
});
after(async () => { await browser?.close(); });

const view = (page, id) => page.locator(`[data-testid=mpr-view][data-view=${id}]`);
const numbers = (text) => text.split('\\').map(Number);

async function openMpr(page) {
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  await page.locator('[data-testid=layout-mpr]').click();
  await page.waitForSelector(`[data-testid=mpr][data-filled="${SLICES}"]`, { timeout: 60_000 });
  // Every view drew the whole volume (no slice missing any more).
  for (const id of ['axial', 'coronal', 'sagittal']) {
    await page.waitForSelector(`[data-testid=mpr-view][data-view=${id}][data-missing-bands="0"]`, { state: 'attached' });
  }
  await page.waitForTimeout(200);
}

/** What a view states of its plane and its placement on screen. */
async function planeOf(page, id) {
  const v = view(page, id);
  const [origin, row, column, spacing, size, affine] = await Promise.all(
    ['data-origin', 'data-row', 'data-column', 'data-spacing', 'data-size', 'data-css-from-image']
      .map((a) => v.getAttribute(a)));
  const [columns, rows] = size.split('x').map(Number);
  const [m0, m1, m2, m3, t0, t1] = affine.split(',').map(Number);
  return {
    origin: numbers(origin), row: numbers(row), column: numbers(column), spacing: Number(spacing),
    columns, rows, affine: { m: [m0, m1, m2, m3], t: [t0, t1] },
  };
}

/** The CSS point (relative to the view) of image position (x, y) of a plane. */
const cssOf = (p, [x, y]) => [p.affine.m[0] * x + p.affine.m[1] * y + p.affine.t[0],
  p.affine.m[2] * x + p.affine.m[3] * y + p.affine.t[1]];

/**
 * Clicks the view's canvas near CSS point `target` (relative to the canvas), at whole page
 * pixels as a mouse event carries them; returns the point clicked, relative to the canvas.
 */
async function clickIn(page, id, target) {
  const box = await view(page, id).locator('canvas').boundingBox();
  const [x, y] = [Math.round(box.x + target[0]), Math.round(box.y + target[1])];
  await page.mouse.click(x, y);
  return [x - box.x, y - box.y];
}

/** The image position of a CSS point (inverse of the view's map). */
function imageOf(p, [cx, cy]) {
  const [a, b, c, d] = p.affine.m;
  const det = a * d - b * c;
  const x = cx - p.affine.t[0];
  const y = cy - p.affine.t[1];
  return [(d * x - b * y) / det, (-c * x + a * y) / det];
}

/** The patient point of image position (x, y): sample centres at half pixels. */
const pointOf = (p, [x, y]) => [0, 1, 2].map((i) =>
  p.origin[i] + (x - 0.5) * p.spacing * p.row[i] + (y - 0.5) * p.spacing * p.column[i]);

/** Continuous voxel coordinates (column, row, slot) of a patient point. */
const voxelOf = (q) => [(q[0] - ORIGIN[0]) / SPACING, (q[1] - ORIGIN[1]) / SPACING, (q[2] - ORIGIN[2]) / STEP];
const ambiguous = (v) => Math.abs(v - Math.floor(v) - 0.5) < 0.05;

/** The stored value of the voxel nearest to a patient point, or null outside or at a tie. */
function nearest(q) {
  const v = voxelOf(q);
  if (v.some(ambiguous)) return null;
  const [x, y, k] = v.map(Math.round);
  if (x < 0 || y < 0 || k < 0 || x >= CT.columns || y >= CT.rows || k >= SLICES) return null;
  return volume[k][y * CT.columns + x];
}

/**
 * Compares a view's canvas with `expected(q)` (the stored value the test computes at patient
 * point q, or null to skip) at sample points well inside one reformat sample; returns how many
 * were compared.
 */
async function compareView(page, id, expected) {
  const p = await planeOf(page, id);
  const box = await view(page, id).locator('canvas').boundingBox();
  const points = [];
  for (let cy = 2; cy < box.height - 2; cy += 5) {
    for (let cx = 2; cx < box.width - 2; cx += 5) {
      const [x, y] = imageOf(p, [cx + 0.5, cy + 0.5]);
      if (x < 0 || y < 0 || x >= p.columns || y >= p.rows) continue;
      const fx = x - Math.floor(x);
      const fy = y - Math.floor(y);
      if (fx < 0.2 || fx > 0.8 || fy < 0.2 || fy > 0.8) continue;
      const value = expected(pointOf(p, [Math.floor(x) + 0.5, Math.floor(y) + 0.5]));
      if (value === null) continue;
      points.push({ css: [cx, cy], value });
    }
  }
  assert.ok(points.length > 500, `only ${points.length} points compared in the ${id} view`);
  const { rgba } = await canvasRgba(view(page, id), points.map((q) => q.css), { css: true });
  let wrong = 0;
  let grey = 0;
  points.forEach((q, i) => {
    const byte = displayByte(q.value, CT);
    const [r, g, b] = rgba[i];
    if (Math.abs(r - byte) > 1 || r !== g || g !== b) wrong += 1;
    if (byte > 0 && byte < 255) grey += 1;
  });
  assert.ok(grey > points.length / 20, `the ${id} points must include soft tissue`);
  assert.equal(wrong, 0, `${wrong} of ${points.length} ${id} pixels differ from the test's reformat`);
  return points.length;
}

async function markers(page, id) {
  const v = view(page, id);
  return Object.fromEntries(await Promise.all(['left', 'right', 'top', 'bottom']
    .map(async (edge) => [edge, (await v.locator(`[data-testid=marker-${edge}]`).textContent()).trim()])));
}

test('the coronal and sagittal reformats of the CT equal the test own reformat of its voxels, and follow the crosshairs', async () => {
  const { page, problems } = await openPage(browser, '', { viewport: { width: 1440, height: 900 } });
  await openMpr(page);
  assert.equal(await page.locator('[data-testid=mpr]').getAttribute('data-slots'), String(SLICES));
  assert.equal(await view(page, 'coronal').getAttribute('data-window-center'), '40');

  const coronal = await planeOf(page, 'coronal');
  assert.deepEqual(coronal.row, [1, 0, 0]);
  assert.deepEqual(coronal.column, [0, 0, -1]);
  assert.ok(Math.abs(coronal.spacing - SPACING) < 1e-5);
  const sagittal = await planeOf(page, 'sagittal');
  assert.deepEqual(sagittal.row, [0, 1, 0]);
  assert.deepEqual(sagittal.column, [0, 0, -1]);
  assert.deepEqual(await markers(page, 'coronal'), { left: 'R', right: 'L', top: 'H', bottom: 'F' });
  assert.deepEqual(await markers(page, 'sagittal'), { left: 'A', right: 'P', top: 'H', bottom: 'F' });
  assert.deepEqual(await markers(page, 'axial'), { left: 'R', right: 'L', top: 'A', bottom: 'P' });

  // A click in the axial view puts the centre there: the coronal plane moves to its y, the
  // sagittal to its x.
  const axial = await planeOf(page, 'axial');
  const at = await clickIn(page, 'axial', cssOf(axial, [300.3, 220.6]));
  const clicked = pointOf(axial, imageOf(axial, at));
  await page.waitForFunction((y) => {
    const o = document.querySelector('[data-testid=mpr-view][data-view=coronal]').dataset.origin;
    return Math.abs(Number(o.split('\\')[1]) - y) < 0.01;
  }, clicked[1]);
  const movedCoronal = await planeOf(page, 'coronal');
  const movedSagittal = await planeOf(page, 'sagittal');
  assert.ok(Math.abs(movedCoronal.origin[1] - clicked[1]) < 0.01, 'coronal through the point');
  assert.ok(Math.abs(movedSagittal.origin[0] - clicked[0]) < 0.01, 'sagittal through the point');
  // The lines of the other planes cross the axial view at the point.
  assert.equal(await view(page, 'axial').locator('[data-testid=mpr-line]').count(), 2);
  await page.waitForTimeout(200);

  const compared = await compareView(page, 'coronal', nearest);
  assert.ok(compared > 0);
  await compareView(page, 'sagittal', nearest);
  await screenshot(page, 'mpr 1440x900');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a MIP slab on the coronal view is the maximum of the voxels it spans, and a length is in mm', async () => {
  const { page, problems } = await openPage(browser, '', { viewport: { width: 1440, height: 900 } });
  await openMpr(page);
  // The coronal plane is put where the slab's ends fall clear of the voxel rows' boundaries
  // (a click in the axial view), then made the active view (a click within its own plane
  // moves no plane of it).
  const axial = await planeOf(page, 'axial');
  await clickIn(page, 'axial', cssOf(axial, [256.3, 300.2]));
  await page.waitForTimeout(300);
  const coronalBox = await view(page, 'coronal').locator('canvas').boundingBox();
  await page.mouse.click(coronalBox.x + coronalBox.width / 2, coronalBox.y + coronalBox.height / 2);
  await page.locator('[data-testid=mpr-slab-mm]').fill('20');
  await page.locator('[data-testid=mpr-slab-mm]').dispatchEvent('change');
  await page.locator('[data-testid=mpr-slab-mode]').selectOption('mip');
  await page.waitForFunction(() => document.querySelector('[data-testid=mpr-view][data-view=coronal] [data-testid=mpr-slab-text]').textContent.includes('MIP 20'));
  await page.waitForTimeout(300);
  const coronal = await planeOf(page, 'coronal');
  const y = coronal.origin[1];
  // The slab's samples are under a voxel apart along y from y - 10 to y + 10 mm: every voxel
  // row from the nearest to y - 10 to the nearest to y + 10 is in it.
  const from = (y - 10 - ORIGIN[1]) / SPACING;
  const to = (y + 10 - ORIGIN[1]) / SPACING;
  assert.ok(!ambiguous(from) && !ambiguous(to), 'the slab ends are not at a tie');
  const maximum = (q) => {
    const [x, , k] = voxelOf(q);
    if (ambiguous(x) || ambiguous(k)) return null;
    const [xi, ki] = [Math.round(x), Math.round(k)];
    if (xi < 0 || ki < 0 || xi >= CT.columns || ki >= SLICES) return null;
    let best = -Infinity;
    for (let row = Math.max(0, Math.round(from)); row <= Math.min(CT.rows - 1, Math.round(to)); row += 1) {
      best = Math.max(best, volume[ki][row * CT.columns + xi]);
    }
    return best;
  };
  await compareView(page, 'coronal', maximum);

  // A length drawn on the coronal view: its mm from the plane's geometry.
  await page.locator('[data-testid=mpr-tool-length]').click();
  const whole = (fx, fy) => [Math.round(coronalBox.x + coronalBox.width * fx), Math.round(coronalBox.y + coronalBox.height * fy)];
  const [pageA, pageB] = [whole(0.3, 0.35), whole(0.62, 0.7)];
  await page.mouse.move(...pageA);
  await page.mouse.down();
  await page.mouse.move(...pageB, { steps: 5 });
  await page.mouse.up();
  const a = [pageA[0] - coronalBox.x, pageA[1] - coronalBox.y];
  const b = [pageB[0] - coronalBox.x, pageB[1] - coronalBox.y];
  const shown = Number(await view(page, 'coronal').locator('[data-testid=mpr-length]').getAttribute('data-mm'));
  const [pa, pb] = [pointOf(coronal, imageOf(coronal, a)), pointOf(coronal, imageOf(coronal, b))];
  const expected = Math.hypot(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]);
  assert.ok(Math.abs(shown - expected) < 0.05, `length ${shown} mm, expected ${expected.toFixed(2)} mm`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('turning the crosshairs makes the other planes oblique; nothing covers the safety texts at any size', async () => {
  for (const [width, height] of [[1440, 900], [1024, 768], [390, 844]]) {
    const { page, problems } = await openPage(browser, '', { viewport: { width, height } });
    await openMpr(page);
    const check = await collisions(page, SAFE.filter((id) => id !== 'overlay-slice'), [], '[data-testid=mpr-view]');
    assert.deepEqual(check.problems, [], `${width}x${height}`);
    assert.ok(check.checked >= 6, `${width}x${height}: ${check.checked} checked`);
    await screenshot(page, `mpr ${width}x${height}`);
    if (width > 700) {
      await page.locator('[data-testid=mpr-tool-rotate]').click();
      const box = await view(page, 'axial').locator('canvas').boundingBox();
      const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.mouse.move(cx + 80, cy);
      await page.mouse.down();
      await page.mouse.move(cx + 60, cy + 60, { steps: 6 });
      await page.mouse.up();
      await page.waitForSelector('[data-testid=mpr][data-oblique=true]');
      const coronal = await planeOf(page, 'coronal');
      assert.ok(Math.abs(coronal.row[1]) > 0.3, `the coronal row turned: ${coronal.row}`);
      assert.equal(coronal.row[2], 0, 'about the axial normal');
      assert.match(await view(page, 'coronal').locator('[data-testid=overlay-position]').textContent(), /oblique/);
      await screenshot(page, `mpr oblique ${width}x${height}`);
    } else {
      // On a phone one view shows at a time, chosen by its tab.
      assert.equal(await page.locator('[data-testid=mpr-view]:visible').count(), 1);
      await page.locator('[data-testid=mpr-tab-sagittal]').click();
      await page.waitForSelector('[data-testid=mpr-view][data-view=sagittal]:visible');
      await screenshot(page, `mpr sagittal ${width}x${height}`);
    }
    // Back to the stack: the 2D viewport shows again, as it was.
    await page.locator('[data-testid=layout-mpr]').click();
    await page.waitForSelector('[data-testid=viewport][data-state=ready]:visible');
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('an ellipse on the coronal view gives the mean, SD, min and max HU of the voxels inside it, and its area', async () => {
  const { page, problems } = await openPage(browser, '', { viewport: { width: 1440, height: 900 } });
  await openMpr(page);
  const axial = await planeOf(page, 'axial');
  // The coronal plane clear of the boundary between two voxel rows (a click lands on a whole
  // page pixel, more than a voxel apart at this zoom): the first of a few points that is.
  let coronal;
  for (const y of [250.2, 250.6, 251.0, 251.4, 251.8]) {
    await clickIn(page, 'axial', cssOf(axial, [240.5, y]));
    await page.waitForTimeout(300);
    coronal = await planeOf(page, 'coronal');
    if (!ambiguous(voxelOf(coronal.origin)[1])) break;
  }
  assert.ok(!ambiguous(voxelOf(coronal.origin)[1]), 'the coronal plane lies clear of a row boundary');
  await page.locator('[data-testid=mpr-tool-ellipse]').click();
  const box = await view(page, 'coronal').locator('canvas').boundingBox();
  const whole = (fx, fy) => [Math.round(box.x + box.width * fx), Math.round(box.y + box.height * fy)];
  const [pageA, pageB] = [whole(0.35, 0.4), whole(0.6, 0.55)];
  await page.mouse.move(...pageA);
  await page.mouse.down();
  await page.mouse.move(...pageB, { steps: 5 });
  await page.mouse.up();
  const shown = view(page, 'coronal').locator('[data-testid=mpr-ellipse]');
  const stated = Object.fromEntries(await Promise.all(['area', 'mean', 'sd', 'min', 'max', 'pixels', 'missing']
    .map(async (k) => [k, Number(await shown.getAttribute(`data-${k}`))])));

  // The test's own: every sample centre of the plane inside the ellipse inscribed in the
  // dragged box, its nearest voxel's stored value, in HU through the CT's rescale. A centre
  // halfway between two slices may take either: the mean must lie between the means of the
  // lower and of the higher choices.
  const [a, b] = [imageOf(coronal, [pageA[0] - box.x, pageA[1] - box.y]), imageOf(coronal, [pageB[0] - box.x, pageB[1] - box.y])];
  const [cx, cy] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const [rx, ry] = [Math.abs(b[0] - a[0]) / 2, Math.abs(b[1] - a[1]) / 2];
  const hu = (stored) => stored * CT.slope + CT.intercept;
  const low = [];
  const high = [];
  for (let row = 0; row < coronal.rows; row += 1) {
    for (let column = 0; column < coronal.columns; column += 1) {
      const [x, y] = [column + 0.5, row + 0.5];
      if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 > 1) continue;
      const [vx, vy, k] = voxelOf(pointOf(coronal, [x, y])).map((v, axis) => (axis === 2 ? v : Math.round(v)));
      const slots = ambiguous(k) ? [Math.floor(k), Math.ceil(k)] : [Math.round(k)];
      const choices = slots.filter((s) => s >= 0 && s < SLICES).map((s) => hu(volume[s][vy * CT.columns + vx]));
      low.push(Math.min(...choices));
      high.push(Math.max(...choices));
    }
  }
  const meanOf = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
  assert.equal(stated.pixels, low.length, 'every sample centre inside the ellipse is counted');
  assert.equal(stated.missing, 0);
  const [lowMean, highMean] = [meanOf(low), meanOf(high)];
  assert.ok(stated.mean >= lowMean - 0.01 && stated.mean <= highMean + 0.01,
    `mean ${stated.mean} HU, expected between ${lowMean.toFixed(2)} and ${highMean.toFixed(2)}`);
  const sd = Math.sqrt(meanOf(low.map((v) => (v - lowMean) ** 2)));
  assert.ok(Math.abs(stated.sd - sd) < 0.05 * sd, `SD ${stated.sd} HU, about ${sd.toFixed(2)} expected`);
  assert.ok(stated.min >= Math.min(...low) && stated.max <= Math.max(...high));
  const area = Math.PI * (2 * rx * coronal.spacing) * (2 * ry * coronal.spacing) / 4;
  assert.ok(Math.abs(stated.area - area) < 0.01 * area, `area ${stated.area} mm², expected ${area.toFixed(1)}`);
  assert.match(await shown.textContent(), /Moy\. -?[0-9.]+ HU/);
  await screenshot(page, 'mpr ellipse 1440x900');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a series over the volume budget is downsampled for the MPR, said on every view, and its reformats are the test own of the block means', async () => {
  const { page, problems } = await openPage(browser, '', { viewport: { width: 1440, height: 900 } });
  // 8 MB of 16-bit voxels: the CT's 61 x 512 x 512 fits once halved in its plane.
  await page.evaluate(() => localStorage.setItem('portal.volume_budget_mb', '8'));
  await openMpr(page);
  assert.equal(await page.locator('[data-testid=mpr]').getAttribute('data-reduction'), '2');
  assert.equal(await page.locator('[data-testid=mpr-reduced]:visible').count(), 3, 'said on every view');
  assert.match(await page.locator('[data-testid=mpr-reduced]').first().textContent(), /1:2/);
  const coronal = await planeOf(page, 'coronal');
  assert.ok(Math.abs(coronal.spacing - 2 * SPACING) < 1e-5, `coronal spacing ${coronal.spacing}`);

  // The test's own reduced volume: each 2 x 2 block's mean in HU, rounded half away from
  // zero, each voxel at its block's centre.
  const hu = (stored) => stored * CT.slope + CT.intercept;
  const half = CT.columns / 2;
  const reduced = volume.map((slice) => {
    const out = new Int32Array(half * half);
    for (let y = 0; y < half; y += 1) {
      for (let x = 0; x < half; x += 1) {
        const at = (dx, dy) => hu(slice[(2 * y + dy) * CT.columns + 2 * x + dx]);
        const mean = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4;
        out[y * half + x] = Math.sign(mean) * Math.round(Math.abs(mean));
      }
    }
    return out;
  });
  const blockNearest = (q) => {
    const v = [(q[0] - ORIGIN[0] - SPACING / 2) / (2 * SPACING), (q[1] - ORIGIN[1] - SPACING / 2) / (2 * SPACING), (q[2] - ORIGIN[2]) / STEP];
    if (v.some(ambiguous)) return null;
    const [x, y, k] = v.map(Math.round);
    if (x < 0 || y < 0 || k < 0 || x >= half || y >= half || k >= SLICES) return null;
    return (reduced[k][y * half + x] - CT.intercept) / CT.slope;
  };
  // The crosshairs' centre (first at a block boundary, the middle of the volume) moved
  // clear of the boundaries between blocks in x and y by a click in the axial view.
  const axial = await planeOf(page, 'axial');
  const clear = (p, axis) => !ambiguous((p.origin[axis] - ORIGIN[axis] - SPACING / 2) / (2 * SPACING));
  for (const d of [0.2, 0.6, 1.0, 1.4, 1.8]) {
    await clickIn(page, 'axial', cssOf(axial, [100.2 + d, 120.4 + d]));
    await page.waitForTimeout(300);
    if (clear(await planeOf(page, 'coronal'), 1) && clear(await planeOf(page, 'sagittal'), 0)) break;
  }
  assert.ok(clear(await planeOf(page, 'coronal'), 1) && clear(await planeOf(page, 'sagittal'), 0));
  await compareView(page, 'coronal', blockNearest);
  await compareView(page, 'sagittal', blockNearest);
  await screenshot(page, 'mpr downsampled 1440x900');
  // The 2D view keeps the full resolution.
  await page.locator('[data-testid=layout-mpr]').click();
  await page.waitForSelector('[data-testid=viewport][data-state=ready]:visible');
  await screenshot(page, 'mpr back to 2D after downsampling');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a series larger than the cache budget still fills its whole volume, and the 2D view gets its slice back', { timeout: 300_000 }, async () => {
  const { page, problems } = await openPage(browser, '', { viewport: { width: 1440, height: 900 } });
  // The SYNTHETIC 2000-slice series (256 x 256): a 32 MB cache keeps 256 frames around the
  // one in view; an 8 MB volume budget takes it reduced 1:6 (2000 x 42 x 42 voxels).
  await page.evaluate(() => {
    localStorage.setItem('portal.cache_budget_mb', '32');
    localStorage.setItem('portal.volume_budget_mb', '8');
  });
  await page.reload();
  const portal = new Portal(page);
  await (await portal.studyRow('LONG-1')).click();
  await portal.waitForSlice(0, 60_000);
  const slice = await portal.viewport().getAttribute('data-slice');
  await page.locator('[data-testid=layout-mpr]').click();
  const mpr = page.locator('[data-testid=mpr]');
  assert.equal(await mpr.getAttribute('data-slices'), '2000');
  assert.equal(await mpr.getAttribute('data-reduction'), '6');
  await page.waitForSelector('[data-testid=mpr][data-filled="2000"]', { timeout: 240_000 });
  for (const id of ['axial', 'coronal', 'sagittal']) {
    await page.waitForSelector(`[data-testid=mpr-view][data-view=${id}][data-missing-bands="0"]`, { state: 'attached' });
  }
  assert.equal(await page.locator('[data-testid=mpr-incomplete]').count(), 0);
  await page.locator('[data-testid=layout-mpr]').click();
  await page.waitForSelector('[data-testid=viewport][data-state=ready]:visible', { timeout: 60_000 });
  assert.equal(await portal.viewport().getAttribute('data-slice'), slice);
  assert.deepEqual(problems, []);
  await page.close();
});
