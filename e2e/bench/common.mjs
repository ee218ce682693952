// What the benchmark runners share: their command-line options and the browser they launch
// (Debian's Chromium with SwiftShader's WebGL2, as in the tests, and precise memory figures).
import { chromium } from 'playwright-core';

export const argv = process.argv.slice(2);

/** The value after `--name` on the command line, else `fallback`. */
export function arg(name, fallback) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--disable-gpu', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--enable-precise-memory-info'],
  });
}
