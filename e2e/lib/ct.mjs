// The shared CT (ct-series/README.md) and the one check most tests make: the canvas shows a
// slice's voxels through a window, read from the uncompressed file independently of the
// viewer's decoder.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { explicitLeSamples, displayByte } from './dicom.mjs';
import { samplePoints } from './viewer.mjs';

export const SHARED = process.env.DICOM_TEST_DATA ?? join(import.meta.dirname, '../../../shared');
export const CT_DIR = join(SHARED, 'ct-series/explicit-vr-le');
/**
 * The file shown at display index `index` of the 61: the stack reads head first, like the PACS
 * consoles (CT0061, z = -60, first; CT0001, z = -360, last).
 */
export const ctFile = (index) => `CT${String(61 - index).padStart(4, '0')}.dcm`;
// Unsigned 16-bit, Rescale -1024/1, first window 40/400, 512x512, 0.6269531 mm, axial.
export const CT = { rows: 512, columns: 512, slope: 1, intercept: -1024, center: 40, width: 400 };

/**
 * Asserts that the fitted canvas shows slice `file`: `source(row, col)` gives the image pixel
 * displayed at screen grid cell (row, col) (rotations, flips), `invert` flips grey levels,
 * `window` overrides the window; tolerance ±1 grey level, grey (R = G = B) and opaque.
 */
export async function assertCtSlice(portal, file, { source = (r, c) => [r, c], invert = false, window = {} } = {}) {
  const stored = explicitLeSamples(join(CT_DIR, file), CT.rows, CT.columns);
  const { width, height } = await portal.canvasSize();
  const points = samplePoints(width, height, CT.columns, CT.rows);
  assert.ok(points.length > 1000, `only ${points.length} sample points`);
  const { rgba } = await portal.canvasPixels(points.map((p) => p.canvas));
  let wrong = 0;
  let grey = 0;
  points.forEach((p, i) => {
    const [r, c] = source(Math.floor(p.pixel / CT.columns), p.pixel % CT.columns);
    const byte = displayByte(stored[r * CT.columns + c], { ...CT, ...window });
    const expected = invert ? 255 - byte : byte;
    const [red, green, blue, alpha] = rgba[i];
    if (Math.abs(red - expected) > 1 || red !== green || green !== blue || alpha !== 255) wrong += 1;
    if (byte > 0 && byte < 255) grey += 1;
  });
  assert.ok(grey > points.length / 20, 'the sampled points must include soft tissue, not only air and bone');
  assert.equal(wrong, 0, `${wrong} of ${points.length} canvas pixels differ from the ${file} voxels by more than 1`);
}
