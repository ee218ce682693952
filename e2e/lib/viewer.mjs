import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { problemsOf } from './browser.mjs';

/**
 * RGBA of a canvas's pixels (the canvas `locator` names, or the first one inside it) at
 * drawing-buffer coordinates, or at CSS pixels from its top-left corner with `{ css: true }`;
 * with the drawing buffer's size.
 */
export async function canvasRgba(locator, points, { css = false } = {}) {
  return locator.evaluate((element, [pts, cssPoints]) => {
    const canvas = element.tagName === 'CANVAS' ? element : element.querySelector('canvas');
    const ratio = cssPoints ? canvas.width / canvas.clientWidth : 1;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(canvas, 0, 0);
    const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
    return {
      width: canvas.width,
      height: canvas.height,
      rgba: pts.map(([x, y]) => {
        const [px, py] = [Math.floor(x * ratio), Math.floor(y * ratio)];
        return Array.from(data.slice((py * copy.width + px) * 4, (py * copy.width + px) * 4 + 4));
      }),
    };
  }, [points, css]);
}

// Page object of the portal: study list and viewport.
export class Portal {
  constructor(page) { this.page = page; }

  /**
   * The study list's row(s) of a patient: the list shows a page at a time, so the patient ID
   * is typed in its filter first (as a reader would), and the row awaited.
   */
  async studyRow(patientId) {
    await this.page.locator('[data-testid=filter-id]').fill(patientId, { timeout: 30_000 });
    const row = this.page.locator('[data-testid=study-row]', {
      has: this.page.locator('[data-testid=study-patient-id]', { hasText: patientId }),
    });
    await row.first().waitFor({ timeout: 30_000 });
    return row;
  }

  viewport() { return this.page.locator('[data-testid=viewport]'); }
  canvas() { return this.page.locator('[data-testid=viewport-canvas]'); }

  async waitForState(state, timeout = 60_000) {
    await this.page.waitForSelector(`[data-testid=viewport][data-state=${state}]`, { timeout });
  }

  async waitForSlice(index, timeout = 30_000) {
    await waitForViewportSlice(this.page, '', index, timeout);
  }

  /** The canvas's drawing-buffer size. */
  async canvasSize() {
    return this.page.evaluate(() => {
      const c = document.querySelector('[data-testid=viewport-canvas]');
      return { width: c.width, height: c.height };
    });
  }

  /** RGBA of canvas pixels at the given drawing-buffer coordinates. */
  async canvasPixels(points) {
    return canvasRgba(this.page.locator('[data-testid=viewport-canvas]').first(), points);
  }
}

/**
 * Waits for the viewport inside `scope` (a CSS selector, '' for the page) to show slice
 * `index` decoded. On a timeout the error says what every viewport showed instead.
 */
export async function waitForViewportSlice(page, scope, index, timeout = 30_000) {
  const selector = `${scope} [data-testid=viewport][data-slice="${index}"][data-state=ready]`.trim();
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (error) {
    const seen = await page.locator('[data-testid=viewport]').evaluateAll((all) => all.map((v) => ({
      slice: v.dataset.slice, state: v.dataset.state, loaded: v.dataset.loaded,
      slices: v.dataset.slices, message: v.querySelector('[data-testid=viewport-message]')?.textContent,
      detail: v.querySelector('[data-testid=viewport-message]')?.title,
    }))).catch(() => 'the page is gone');
    error.message += `\nthe viewports showed: ${JSON.stringify(seen)}`;
    error.message += `\nthe page's errors: ${JSON.stringify(problemsOf.get(page) ?? [])}`;
    throw error;
  }
}

/**
 * Canvas pixels whose centres fall well inside one image pixel, with that pixel's index,
 * for an image of `columns` x `rows` fitted (square pixels, centred) in a `width` x `height` canvas.
 */
export function samplePoints(width, height, columns, rows, step = 7) {
  const scale = Math.min(width / columns, height / rows);
  const x0 = (width - columns * scale) / 2;
  const y0 = (height - rows * scale) / 2;
  const points = [];
  for (let y = 0; y < height; y += step) {
    for (let x = 0; x < width; x += step) {
      const u = (x + 0.5 - x0) / scale;
      const v = (y + 0.5 - y0) / scale;
      if (u < 0 || v < 0 || u >= columns || v >= rows) continue;
      const fu = u - Math.floor(u);
      const fv = v - Math.floor(v);
      if (fu < 0.1 || fu > 0.9 || fv < 0.1 || fv > 0.9) continue; // too close to a texel edge
      points.push({ canvas: [x, y], pixel: Math.floor(v) * columns + Math.floor(u) });
    }
  }
  return points;
}

/**
 * Reads a reference written by an e2e fixture ({rows, columns, rgb | grey} in base64) and
 * returns, for each sampled canvas point, the expected and displayed colour.
 */
export async function compareWithFixture(portal, fixture) {
  const expected = JSON.parse(readFileSync(join(process.env.E2E_WORK, fixture), 'utf8'));
  const channels = expected.rgb ? 3 : 1;
  const values = Buffer.from(expected.rgb ?? expected.grey, 'base64');
  const { width, height } = await portal.canvasSize();
  const points = samplePoints(width, height, expected.columns, expected.rows);
  const { rgba } = await portal.canvasPixels(points.map((p) => p.canvas));
  return points.map((p, i) => ({
    expected: [0, 1, 2].map((c) => values[p.pixel * channels + (channels === 3 ? c : 0)]),
    shown: rgba[i].slice(0, 3),
  }));
}

/** Clicks the study tool `id` (test id), in the toolbar or, where the width leaves it out,
 * under "Plus". */
export async function clickTool(page, id) {
  const inline = page.locator(`[data-testid=${id}]`).first();
  if (await inline.isVisible()) {
    await inline.click();
    return;
  }
  await page.locator('[data-testid=tool-more]').first().click();
  await page.locator(`[data-testid=more-${id}]`).first().click();
}
