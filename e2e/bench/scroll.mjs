// Scroll frame time: once every slice is loaded, the stack is stepped one slice per animation
// frame from the slice shown to the last, back to the first and on to where it began (two
// passes, 2 × (slices - 1) steps), and the time between consecutive animation frames is kept.
// Each interval holds one step's work on the page's thread (input handling, choosing the
// slice, uploading and drawing it); at 60 Hz an interval of 16.7 ms means the step cost less
// than a frame.
//
// How a step is made: ours through its real input path, a wheel notch (deltaY 100 px) sent to
// the viewport's canvas; the peers, whose pages bind no scroll input, through their stack
// APIs, which scripts/bench-viewers.sh exposes as `window.__benchScroll` ({ count(), index(),
// to(i) }) in the copies of their pages it builds. The sweep sets the marks `scroll-start` and
// `scroll-end` (for bench/trace_summary.mjs).

/** Runs in the page: the sweep, and the frame intervals it took (ms). */
async function sweepInPage(viewer) {
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let driver = window.__benchScroll;
  if (viewer === 'ours') {
    const viewport = document.querySelector('[data-testid="viewport"]');
    const canvas = viewport.querySelector('canvas');
    const box = canvas.getBoundingClientRect();
    driver = {
      count: () => Number(viewport.dataset.slices),
      index: () => Number(viewport.dataset.slice),
      to(i, from) {
        const deltaY = i > from ? 100 : -100;
        canvas.dispatchEvent(new WheelEvent('wheel', {
          deltaY, deltaMode: 0, bubbles: true, cancelable: true,
          clientX: box.left + box.width / 2, clientY: box.top + box.height / 2,
        }));
      },
    };
  }
  if (!driver) return { error: 'no scroll driver on the page' };
  const count = driver.count();
  const start = driver.index();
  const path = [];
  for (let i = start + 1; i < count; i++) path.push(i);
  for (let i = count - 2; i >= 0; i--) path.push(i);
  for (let i = 1; i <= start; i++) path.push(i);
  // Two quiet frames first, so that the first interval is not the evaluation's own.
  await nextFrame();
  let last = await nextFrame();
  const frames = [];
  let behind = 0;
  let from = start;
  performance.mark('scroll-start');
  for (const target of path) {
    driver.to(target, from);
    from = target;
    const now = await nextFrame();
    frames.push(now - last);
    last = now;
    if (driver.index() !== target) behind += 1;
  }
  // What a step left for later is paid in the frames after the last one.
  for (let i = 0; i < 2; i++) {
    const now = await nextFrame();
    frames.push(now - last);
    last = now;
  }
  performance.mark('scroll-end');
  return { frames, steps: path.length, behind, end_index: driver.index(), start_index: start };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** Sweeps the stack of `page` and summarises the frame intervals. */
export async function scrollFrameTimes(page, viewer) {
  const sweep = await page.evaluate(sweepInPage, viewer);
  if (sweep.error) return sweep;
  const sorted = [...sweep.frames].sort((a, b) => a - b);
  const total = sweep.frames.reduce((a, b) => a + b, 0);
  return {
    steps: sweep.steps,
    // Steps whose slice the viewer had not taken by the next frame (it draws later).
    behind: sweep.behind,
    back_at_start: sweep.end_index === sweep.start_index,
    median_ms: percentile(sorted, 0.5),
    p95_ms: percentile(sorted, 0.95),
    max_ms: sorted[sorted.length - 1],
    // Slices stepped per second over the whole sweep.
    slices_per_s: (sweep.steps / total) * 1000,
    over_33_ms: sweep.frames.filter((f) => f > 33.4).length,
  };
}
