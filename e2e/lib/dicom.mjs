// Reads the stored samples of an uncompressed (Explicit VR Little Endian) file, independently
// of the viewer's own decoder: finds the Pixel Data element header and checks its length.
import { readFileSync } from 'node:fs';

export function explicitLeSamples(path, rows, columns) {
  const bytes = readFileSync(path);
  // (7FE0,0010) OW, two reserved bytes, then a 32-bit length.
  const header = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0x00, 0x00]);
  const at = bytes.lastIndexOf(header);
  if (at < 0) throw new Error(`${path}: no OW Pixel Data element`);
  const length = bytes.readUInt32LE(at + 8);
  if (length !== rows * columns * 2) throw new Error(`${path}: Pixel Data has ${length} bytes`);
  const start = at + 12;
  return Uint16Array.from({ length: rows * columns }, (_, i) => bytes.readUInt16LE(start + 2 * i));
}

/** PS3.3 C.11.2.1.2.1 LINEAR window, as an 8-bit display value. */
export function displayByte(stored, { slope, intercept, center, width }) {
  const x = stored * slope + intercept;
  const w = Math.max(width, 1);
  let y;
  if (x <= center - 0.5 - (w - 1) / 2) y = 0;
  else if (x > center - 0.5 + (w - 1) / 2) y = 1;
  else y = (x - (center - 0.5)) / (w - 1) + 0.5;
  return Math.round(Math.min(1, Math.max(0, y)) * 255);
}
