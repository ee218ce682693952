// The peak memory of the renderer process that runs a page: its main thread and its workers,
// their JS heaps and wasm memories, decoded buffers and everything else the page holds (not
// the textures, which live in the GPU process). Read as the high-water mark of its resident
// set (VmHWM in /proc), so it is the same measure for every viewer, whatever it is built with.
//
// The page's renderer is the renderer process that appeared after its browser context was
// made (Chromium may also start a spare renderer then: the largest is the page's).
import fs from 'node:fs';

/** The ids of the browser's renderer processes, with their CPU seconds. */
export async function renderers(browserCdp) {
  const { processInfo } = await browserCdp.send('SystemInfo.getProcessInfo');
  return processInfo.filter((p) => p.type === 'renderer').map((p) => ({ pid: p.id, cpu_s: p.cpuTime }));
}

/** A process's resident-set high-water mark in bytes, or null when it cannot be read. */
function peakResidentBytes(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The page's renderer among the ones not in `before`: its peak resident bytes and CPU time. */
export async function pageRenderer(browserCdp, before) {
  const known = new Set(before.map((r) => r.pid));
  let best = null;
  for (const r of await renderers(browserCdp)) {
    if (known.has(r.pid)) continue;
    const peak = peakResidentBytes(r.pid);
    if (peak != null && (best == null || peak > best.peak_bytes)) best = { ...r, peak_bytes: peak };
  }
  return best;
}

/** The GPU process's resident-set high-water mark in bytes (WebGL textures live there). */
export async function gpuPeakBytes(browserCdp) {
  const { processInfo } = await browserCdp.send('SystemInfo.getProcessInfo');
  const gpu = processInfo.find((p) => p.type === 'GPU');
  return gpu ? peakResidentBytes(gpu.id) : null;
}
