// The view of a viewport (issue 4): orientation markers, scale bar, rotation, inversion, zoom,
// keyboard. Pixels are checked against the voxels of the uncompressed CT read by the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, openPage } from '../lib/browser.mjs';
import { explicitLeSamples, displayByte } from '../lib/dicom.mjs';
import { Portal, samplePoints, clickTool } from '../lib/viewer.mjs';
import { CT, CT_DIR, assertCtSlice, ctFile } from '../lib/ct.mjs';

// ct-series/README.md: Pixel Spacing 0.6269531 mm, axial (rows towards the patient's left,
// columns towards posterior).
const SPACING_MM = 0.6269531;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openCt(page) {
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  return portal;
}

const attr = (portal, name) => portal.viewport().getAttribute(name);
const markers = async (page) => Object.fromEntries(await Promise.all(['left', 'right', 'top', 'bottom'].map(
  async (side) => [side, (await page.locator(`[data-testid=marker-${side}]`).innerText()).trim()])));


// Each of these runs on a desktop window and on a phone-sized touch page.
const SIZES = [
  { device: 'desktop', options: {} },
  { device: 'phone', options: { viewport: { width: 390, height: 844 }, hasTouch: true } },
];

for (const { device, options } of SIZES) test(`orientation markers of the axial CT follow rotation and flip (${device})`, async () => {
  const { page, problems } = await openPage(browser, '', options);
  const portal = await openCt(page);
  assert.deepEqual(await markers(page), { left: 'R', right: 'L', top: 'A', bottom: 'P' });

  await clickTool(page, 'tool-rotate');
  assert.equal(await attr(portal, 'data-quarter-turns'), '1');
  assert.deepEqual(await markers(page), { left: 'P', right: 'A', top: 'R', bottom: 'L' });
  // Turned clockwise: screen cell (r, c) shows image pixel (N-1-c, r).
  await assertCtSlice(portal, ctFile(0), { source: (r, c) => [CT.rows - 1 - c, r] });

  await clickTool(page, 'tool-rotate');
  await clickTool(page, 'tool-rotate');
  await clickTool(page, 'tool-rotate');
  await clickTool(page, 'tool-flip-h');
  assert.deepEqual(await markers(page), { left: 'L', right: 'R', top: 'A', bottom: 'P' });
  await assertCtSlice(portal, ctFile(0), { source: (r, c) => [r, CT.columns - 1 - c] });
  assert.deepEqual(problems, []);
  await page.close();
});

for (const { device, options } of SIZES) test(`the scale bar is drawn to the CT pixel spacing (${device})`, async () => {
  const { page, problems } = await openPage(browser, '', options);
  const portal = await openCt(page);
  const bar = page.locator('[data-testid=scale-bar]');
  // The page may still settle after the first frame (the series strip fills in, a scroll bar
  // comes or goes); the bar follows the canvas's size at its next draw, so it is read until
  // it agrees with the box measured at the same moment, or the time runs out.
  let lengthMm, lengthPx, box, off;
  for (const deadline = Date.now() + 10_000; ;) {
    lengthMm = Number(await bar.getAttribute('data-length-mm'));
    lengthPx = Number(await bar.getAttribute('data-length-px'));
    box = await portal.canvas().boundingBox();
    const scale = Math.min(box.width, box.height) / CT.columns; // CSS px per image pixel, fitted
    off = Math.abs(lengthPx - (lengthMm * scale) / SPACING_MM);
    // The app reads the canvas size in whole CSS pixels; the bounding box is fractional.
    if (off < lengthPx * 0.005 || Date.now() > deadline) break;
    await page.waitForTimeout(100);
  }
  assert.ok(off < lengthPx * 0.005,
    `${lengthMm} mm drawn as ${lengthPx} px in a ${box.width}x${box.height} canvas`);
  assert.ok(lengthPx <= box.width * 0.25 && lengthPx > box.width * 0.05, `bar of ${lengthPx} px in ${box.width}`);
  assert.match(await bar.innerText(), /\d+(\.\d+)? (cm|mm)/);
  assert.deepEqual(problems, []);
  await page.close();
});

for (const { device, options } of SIZES) test(`the keyboard scrolls, picks presets, inverts and resets (${device})`, async () => {
  const { page, problems } = await openPage(browser, '', options);
  const portal = await openCt(page);
  await portal.viewport().focus();
  await page.keyboard.press('End');
  await portal.waitForSlice(60);
  await page.keyboard.press('Home');
  await portal.waitForSlice(0);
  await page.keyboard.press('PageDown');
  await portal.waitForSlice(10);
  await page.keyboard.press('ArrowUp');
  await portal.waitForSlice(9);
  await page.keyboard.press('Home');
  await portal.waitForSlice(0);

  // CT presets come first: 1 brain 40/80, 2 lung -600/1500.
  await page.keyboard.press('2');
  assert.equal(await attr(portal, 'data-window-center'), '-600');
  assert.equal(await attr(portal, 'data-window-width'), '1500');
  await page.keyboard.press('r');
  assert.equal(await attr(portal, 'data-window-center'), '40');

  await page.keyboard.press('i');
  assert.equal(await attr(portal, 'data-inverted'), 'true');
  await assertCtSlice(portal, ctFile(0), { invert: true });
  await page.keyboard.press('i');
  await assertCtSlice(portal, ctFile(0));
  assert.deepEqual(problems, []);
  await page.close();
});

test('right drag zooms, middle drag pans, and fit and reset bring the image back', async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openCt(page);
  const box = await portal.canvas().boundingBox();
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.move(cx, cy);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(cx, cy - 100, { steps: 5 });
  await page.mouse.up({ button: 'right' });
  const zoom = Number(await attr(portal, 'data-zoom'));
  assert.ok(Math.abs(zoom - 2) < 0.01, `100 px up doubles the zoom, got ${zoom}`);
  assert.match(await page.locator('[data-testid=overlay-zoom]').innerText(), /Zoom \d+ %/);
  // At zoom 2 about the centre, the canvas centre still shows the image centre.
  const { width, height } = await portal.canvasSize();
  const centre = [Math.floor(width / 2), Math.floor(height / 2)];
  const before = (await portal.canvasPixels([centre])).rgba[0];

  await page.mouse.move(cx, cy);
  await page.mouse.down({ button: 'middle' });
  await page.mouse.move(cx + 40, cy, { steps: 4 });
  await page.mouse.up({ button: 'middle' });
  const moved = (await portal.canvasPixels([[centre[0] + 40, centre[1]]])).rgba[0];
  assert.deepEqual(moved, before, 'the pixel under the centre moved 40 px right with the pan');

  await page.locator('[data-testid=tool-fit]').click();
  assert.equal(await attr(portal, 'data-zoom'), '1');
  await assertCtSlice(portal, ctFile(0));
  await page.locator('[data-testid=tool-one-to-one]').click();
  assert.notEqual(await attr(portal, 'data-zoom'), '1');
  await page.locator('[data-testid=tool-reset]').click();
  assert.equal(await attr(portal, 'data-zoom'), '1');
  await assertCtSlice(portal, ctFile(0));
  assert.deepEqual(problems, []);
  await page.close();
});

test('the window list always shows the window in force: after a digit key, a drag and a choice', async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openCt(page);
  const list = page.locator('[data-testid=window-presets]');
  const shown = () => list.evaluate((s) => ({ value: s.value, text: s.selectedOptions[0]?.textContent ?? '' }));
  // The CT opens on its file's first window (40 / 400), which is also the modality's
  // mediastinum preset or a file preset: a preset of the list is shown.
  const first = await shown();
  assert.notEqual(first.value, '', `the opening window is a preset (${first.text})`);
  // Digit 2: the second preset, shown in the list.
  await portal.viewport().focus();
  await page.keyboard.press('2');
  await page.waitForFunction((s) => s.value === '1', await list.elementHandle(), { timeout: 5_000 });
  const centre = await attr(portal, 'data-window-center');
  const width = await attr(portal, 'data-window-width');
  const near = (text, c, w) => {
    const [, tc, tw] = text.match(/(-?\d+) \/ (\d+)\s*$/) ?? [];
    return Math.abs(Number(tc) - Number(c)) <= 0.5 && Math.abs(Number(tw) - Number(w)) <= 0.5;
  };
  const second = await shown();
  assert.ok(near(second.text, centre, width), `${second.text} shows ${centre} / ${width}`);
  // A drag: a window of the reader's own, its numbers on the list's first line.
  const box = await portal.canvas().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 37, box.y + box.height / 2 + 11, { steps: 3 });
  await page.mouse.up();
  const dragged = await shown();
  assert.equal(dragged.value, '');
  const [c, w] = [await attr(portal, 'data-window-center'), await attr(portal, 'data-window-width')];
  assert.match(dragged.text, /^Fenêtre -?\d+ \/ \d+$/);
  assert.ok(near(dragged.text, c, w), `${dragged.text} shows ${c} / ${w}`);
  // A choice from the list is shown as chosen.
  await list.selectOption('0');
  assert.equal((await shown()).value, '0');
  assert.deepEqual(problems, []);
  await page.close();
});

test('? opens the shortcuts, Escape closes them, and so do their buttons', async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openCt(page);
  await portal.viewport().focus();
  await page.keyboard.press('?');
  const dialog = page.locator('[data-testid=shortcuts]');
  await dialog.waitFor();
  const text = await dialog.innerText();
  assert.match(text, /Raccourcis clavier et souris/);
  assert.match(text, /Revenir à la vue de départ/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.locator('[data-testid=shortcuts-open]').click();
  await dialog.waitFor();
  await page.locator('[data-testid=shortcuts-close]').click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await page.close();
});

/** Records every slice the viewport shows (at 60 frames/s a slice may last less than a paint). */
async function recordSlicesShown(page) {
  await page.evaluate(() => {
    const viewport = document.querySelector('[data-testid=viewport]');
    window.cineSeen = [];
    new MutationObserver(() => window.cineSeen.push(Number(viewport.dataset.slice)))
      .observe(viewport, { attributes: true, attributeFilter: ['data-slice'] });
  });
}

/** Waits until cine has shown slice `last` and then slice 0 again (it looped). */
async function waitForLoop(page, last, timeout) {
  await page.waitForFunction((end) => {
    const at = window.cineSeen.indexOf(end);
    return at >= 0 && window.cineSeen.slice(at + 1).includes(0);
  }, last, { timeout });
}

test('space plays the stack as cine, looping, at the chosen speed, and stops it', async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openCt(page);
  // The CT files give no Cine Rate or Frame Time: the default speed is 10 frames/s.
  assert.equal(await page.locator('[data-testid=cine-fps]').inputValue(), '10');
  await page.locator('[data-testid=cine-fps]').fill('60');
  await page.locator('[data-testid=cine-fps]').dispatchEvent('change');
  await recordSlicesShown(page);
  await portal.viewport().focus();
  await page.keyboard.press(' ');
  assert.equal(await attr(portal, 'data-playing'), 'true');
  // 61 slices at 60 frames/s: the last slice within seconds, then back to the start.
  await waitForLoop(page, 60, 15_000);
  await page.keyboard.press(' ');
  assert.equal(await attr(portal, 'data-playing'), 'false');
  const stopped = await attr(portal, 'data-slice');
  await page.waitForTimeout(300);
  assert.equal(await attr(portal, 'data-slice'), stopped, 'cine stopped');
  await page.locator('[data-testid=cine-toggle]').click();
  assert.equal(await attr(portal, 'data-playing'), 'true');
  await page.locator('[data-testid=cine-toggle]').click();
  assert.deepEqual(problems, []);
  await page.close();
});

test('a lost WebGL context is restored and the same pixels are drawn again', async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openCt(page);
  await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid=viewport-canvas]');
    window.loseContext = canvas.getContext('webgl2').getExtension('WEBGL_lose_context');
    window.loseContext.loseContext();
  });
  await page.waitForSelector('[data-testid=viewport][data-context-lost=true]');
  assert.match(await page.locator('[data-testid=viewport-message]').innerText(), /interrompu/);
  await page.evaluate(() => window.loseContext.restoreContext());
  await page.waitForSelector('[data-testid=viewport][data-context-lost=false][data-state=ready]');
  await assertCtSlice(portal, ctFile(0));
  assert.deepEqual(problems.filter((p) => !/WebGL|GL_CONTEXT_LOST|context lost/i.test(p)), []);
  await page.close();
});

test('bilinear interpolation blends the modality values of the four nearest pixels', async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openCt(page);
  await page.locator('[data-testid=tool-smooth]').click();
  assert.equal(await attr(portal, 'data-smooth'), 'true');
  const stored = explicitLeSamples(join(CT_DIR, ctFile(0)), CT.rows, CT.columns);
  const { width, height } = await portal.canvasSize();
  const scale = Math.min(width / CT.columns, height / CT.rows);
  const [x0, y0] = [(width - CT.columns * scale) / 2, (height - CT.rows * scale) / 2];
  const points = samplePoints(width, height, CT.columns, CT.rows, 5);
  const { rgba } = await portal.canvasPixels(points.map((p) => p.canvas));
  const at = (c, r) => {
    const [cc, rr] = [Math.min(Math.max(c, 0), CT.columns - 1), Math.min(Math.max(r, 0), CT.rows - 1)];
    return stored[rr * CT.columns + cc] * CT.slope + CT.intercept;
  };
  let wrong = 0;
  let blended = 0;
  points.forEach(({ canvas: [x, y] }, i) => {
    const u = (x + 0.5 - x0) / scale - 0.5;
    const v = (y + 0.5 - y0) / scale - 0.5;
    const [c, r] = [Math.floor(u), Math.floor(v)];
    const [fu, fv] = [u - c, v - r];
    const top = at(c, r) * (1 - fu) + at(c + 1, r) * fu;
    const bottom = at(c, r + 1) * (1 - fu) + at(c + 1, r + 1) * fu;
    const value = top * (1 - fv) + bottom * fv;
    const expected = displayByte(value, { ...CT, slope: 1, intercept: 0 });
    const nearest = displayByte(at(Math.round(u), Math.round(v)), { ...CT, slope: 1, intercept: 0 });
    if (Math.abs(rgba[i][0] - expected) > 1) wrong += 1;
    if (Math.abs(expected - nearest) > 2) blended += 1;
  });
  assert.ok(blended > 100, `only ${blended} points where blending shows`);
  assert.equal(wrong, 0, `${wrong} of ${points.length} canvas pixels differ from the bilinear blend`);
  await page.keyboard.press('r');
  await assertCtSlice(portal, ctFile(0));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a multi-frame ultrasound plays as cine at its own Frame Time and loops', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  // pydicom's examples_ybr_color.dcm / color3d_jpeg_baseline.dcm (one SOP instance, 30 or 120
  // JPEG frames; Frame Time 33.333 ms): played at 30 frames/s.
  await (await portal.studyRow('204')).first().click();
  await portal.waitForSlice(0);
  const frames = Number(await attr(portal, 'data-slices'));
  assert.ok(frames >= 30, `${frames} frames`);
  assert.equal(await page.locator('[data-testid=cine-fps]').inputValue(), '30');
  await recordSlicesShown(page);
  await portal.viewport().focus();
  await page.keyboard.press(' ');
  await waitForLoop(page, frames - 1, 30_000);
  await page.keyboard.press(' ');
  assert.equal(await attr(portal, 'data-playing'), 'false');
  assert.deepEqual(problems, []);
  await page.close();
});
