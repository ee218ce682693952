// Export and print (issue 8): the viewport as a PNG or JPEG with the patient's identity and
// "not for diagnosis" burned in (the PNG decoded here, with zlib), and the print sheet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { join } from 'node:path';
import { explicitLeSamples, displayByte } from '../lib/dicom.mjs';
import { CT, CT_DIR, ctFile } from '../lib/ct.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A PNG's text chunks and its RGBA pixels (8-bit RGB or RGBA, no interlace). */
function decodePng(bytes) {
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  let at = 8;
  const text = {};
  const idat = [];
  let width, height, colourType;
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, '8-bit samples');
      colourType = data[9];
      assert.equal(data[12], 0, 'not interlaced');
    } else if (type === 'iTXt') {
      const key = data.subarray(0, data.indexOf(0)).toString('latin1');
      // keyword \0, compression flag and method, language \0, translated keyword \0, text
      let p = data.indexOf(0) + 3;
      p = data.indexOf(0, p) + 1;
      p = data.indexOf(0, p) + 1;
      text[key] = data.subarray(p).toString('utf8');
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    at += 12 + length;
  }
  const channels = colourType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const paeth = () => {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      const predictor = [0, a, b, (a + b) >> 1, paeth()][filter];
      pixels[y * stride + x] = (v + predictor) & 0xff;
    }
  }
  const rgb = (x, y) => Array.from(pixels.subarray(y * stride + x * channels, y * stride + x * channels + 3));
  return { width, height, text, rgb };
}

test('the PNG export burns in the identity and "not for diagnosis" around the image as shown', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  const identity = (await page.locator('[data-testid=overlay-identity] .patient-name').innerText()).trim();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-testid=tool-export-png]').click(),
  ]);
  assert.match(download.suggestedFilename(), /^export-\d{8}-\d{6}\.png$/, 'no patient data in the name');
  const png = decodePng(readFileSync(await download.path()));
  assert.match(png.text.Description, /NE PAS UTILISER POUR LE DIAGNOSTIC · exporté le \d\d\/\d\d\/\d{4}/);
  assert.ok(png.text.Description.includes(identity), `${identity} in ${png.text.Description}`);
  assert.ok(png.text.Description.includes('CT-REAL-1'));

  // The image region is the canvas, pixel for pixel, between the two bands.
  const { width, height } = await portal.canvasSize();
  assert.equal(png.width, width);
  const bands = png.height - height;
  assert.ok(bands > 30, `bands of ${bands} rows`);
  const points = [[Math.floor(width / 2), Math.floor(height / 2)], [Math.floor(width / 3), Math.floor(height / 2)],
    [Math.floor(width / 2), Math.floor(height / 3)]];
  const shown = await portal.canvasPixels(points);
  // The top band's height: the offset at which the canvas pixels match.
  const offset = [...Array(bands + 1).keys()].find((dy) =>
    points.every(([x, y], i) => png.rgb(x, y + dy).every((v, k) => v === shown.rgba[i][k])));
  assert.ok(offset !== undefined && offset > 0 && offset < bands, `image found at row ${offset}`);
  // Text drawn in both bands: white in the identity band, red in the footer.
  const band = (y0, y1, test) => {
    for (let y = y0; y < y1; y++) for (let x = 0; x < png.width; x++) if (test(png.rgb(x, y))) return true;
    return false;
  };
  assert.ok(band(0, offset, ([r, g, b]) => r > 200 && g > 200 && b > 200), 'identity text in the top band');
  assert.ok(band(offset + height, png.height, ([r, g, b]) => r > 200 && g < 180 && b < 180), 'red footer');

  // The orientation markers and the scale bar are burned where the page shows them.
  const boxes = await page.evaluate(() => {
    const origin = document.querySelector('[data-testid=viewport-canvas]').getBoundingClientRect();
    const ratio = window.devicePixelRatio;
    const box = (selector) => {
      const r = document.querySelector(selector).getBoundingClientRect();
      return [r.left - origin.left, r.top - origin.top, r.width, r.height].map((v) => Math.round(v * ratio));
    };
    return { left: box('[data-testid=marker-left]'), right: box('[data-testid=marker-right]'), bar: box('.scale-bar-line') };
  });
  const inBox = ([x0, y0, w, h], test) => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) if (test(png.rgb(x, y + offset))) return true;
    return false;
  };
  const yellow = ([r, g, b]) => r > 200 && g > 170 && b < 140;
  assert.ok(inBox(boxes.left, yellow), 'the left marker is in the export');
  assert.ok(inBox(boxes.right, yellow), 'the right marker is in the export');
  assert.ok(inBox(boxes.bar, ([r, g, b]) => r > 230 && g > 230 && b > 230), 'the scale bar is in the export');

  const [jpeg] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-testid=tool-export-jpeg]').click(),
  ]);
  assert.match(jpeg.suggestedFilename(), /\.jpg$/);
  assert.equal(readFileSync(await jpeg.path()).subarray(0, 2).toString('hex'), 'ffd8');
  assert.deepEqual(problems, []);
  await page.close();
});

test('print puts the image and the patient data on a sheet for the browser print dialog', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  // The dialog is replaced by a function that records the sheet it would print.
  await page.evaluate(() => {
    window.print = () => {
      const sheet = document.querySelector('[data-testid=print-sheet]');
      window.__printed = {
        header: [...sheet.querySelectorAll('header div')].map((d) => d.textContent),
        images: [...sheet.querySelectorAll('img')].map((i) => i.src),
        captions: [...sheet.querySelectorAll('figcaption')].map((c) => c.textContent),
        footer: sheet.querySelector('footer').textContent,
        printing: document.body.classList.contains('printing'),
      };
    };
  });
  await page.locator('[data-testid=tool-print]').click();
  const printed = await page.evaluate(() => window.__printed);
  assert.ok(printed.printing);
  assert.ok(printed.header[0].includes('CT-REAL-1'), printed.header.join(' | '));
  assert.deepEqual(printed.images.map((u) => u.slice(0, 22)), ['data:image/png;base64,']);
  // The header is printed once: the image is the canvas alone (with its markers and scale
  // bar), captioned by its number.
  const { width, height } = await portal.canvasSize();
  const sheetImage = decodePng(Buffer.from(printed.images[0].split(',')[1], 'base64'));
  assert.deepEqual([sheetImage.width, sheetImage.height], [width, height]);
  assert.deepEqual(printed.captions.length, 1);
  assert.match(printed.captions[0], /Image 1\/61/);
  assert.ok(!printed.captions[0].includes('CT-REAL-1'));
  assert.match(printed.footer, /NE PAS UTILISER POUR LE DIAGNOSTIC/);
  assert.equal(await page.locator('[data-testid=print-sheet]').count(), 0, 'the sheet goes after printing');

  // The series as a contact sheet: 11 of the 61 slices, each the slice's voxels through the
  // viewport's window (40/400), full size.
  await page.waitForSelector('[data-testid=viewport][data-loaded="61"]', { timeout: 60_000 });
  await page.locator('[data-testid=tool-print-series]').click();
  const series = await page.evaluate(() => window.__printed);
  assert.deepEqual(series.captions, ['1/61', '7/61', '13/61', '19/61', '25/61', '31/61', '37/61', '43/61', '49/61', '55/61', '61/61']);
  const first = decodePng(Buffer.from(series.images[0].split(',')[1], 'base64'));
  assert.deepEqual([first.width, first.height], [CT.columns, CT.rows]);
  const samples = explicitLeSamples(join(CT_DIR, ctFile(0)), CT.rows, CT.columns);
  for (const [x, y] of [[256, 256], [100, 300], [400, 120], [0, 0]]) {
    assert.equal(first.rgb(x, y)[0], displayByte(samples[y * CT.columns + x], CT), `pixel ${x},${y}`);
  }
  // Each image carries its orientation markers (R at the left edge, A at the top, in yellow)
  // and its scale bar (white, bottom right).
  const any = (x0, x1, y0, y1, test) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (test(first.rgb(x, y))) return true;
    return false;
  };
  const yellow = ([r, g, b]) => r > 200 && g > 170 && b < 140;
  assert.ok(any(0, 30, 230, 280, yellow), 'the left marker on the sheet');
  assert.ok(any(230, 280, 0, 30, yellow), 'the top marker on the sheet');
  let bar = false;
  for (let y = 470; y < 512 && !bar; y++) {
    for (let x = 380; x < 512 && !bar; x++) {
      const [r, g, b] = first.rgb(x, y);
      bar = r > 240 && g > 240 && b > 240 && displayByte(samples[y * CT.columns + x], CT) < 200;
    }
  }
  assert.ok(bar, 'the scale bar on the sheet (white where the CT is not)');
  assert.deepEqual(problems, []);
  await page.close();
});
