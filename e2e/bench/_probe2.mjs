import { chromium } from 'playwright-core';
const [series, study] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--use-angle=swiftshader','--enable-unsafe-swiftshader'] });
const ctx = await browser.newContext({ viewport: { width: 800, height: 700 } });
await ctx.request.post('http://127.0.0.1:8099/api/dev-login', { data: {} });
const page = await ctx.newPage();
await page.goto(`http://127.0.0.1:8099/?study=${study}&series=${series}`);
await page.waitForFunction(() => performance.getEntriesByName('all-loaded').length > 0, null, { timeout: 60000 });
const r = await page.evaluate(() => {
  const m = Object.fromEntries(performance.getEntriesByType('mark').map(e => [e.name, e.startTime.toFixed(0)]));
  const frames = performance.getEntriesByType('resource').filter(e => e.name.includes('/frames/'));
  return { m, n: frames.length, firstStart: frames[0]?.startTime.toFixed(0), lastEnd: Math.max(...frames.map(f => f.responseEnd)).toFixed(0),
    spans: frames.slice(0, 12).map(f => `${f.startTime.toFixed(0)}-${f.responseEnd.toFixed(0)}`).join(' ') };
});
console.log(JSON.stringify(r, null, 1));
await browser.close();
