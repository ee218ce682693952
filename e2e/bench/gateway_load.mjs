// The gateway's load benchmark (scripts/bench-gateway.sh): simulated readers fetching the CT's
// frames at a reader's pace, through the gateway (each reader its own share session) and
// straight from Orthanc, with a growing number of readers; then one greedy client beside
// paced readers, to see that nobody is starved. Prints JSON lines, one per step.
// `--workload study` reads as the viewer opens a study: the study's and its series' searches
// and the series' metadata, then every frame in order, again and again.
//   node bench/gateway_load.mjs --portal URL --pacs URL --study UID --series UID
//     --instances uid,uid,… [--readers 1,4,16,64] [--seconds 10] [--pace-ms 50] [--pid N]
//     [--workload frames|study] [--no-fairness]
import { readFileSync } from 'node:fs';
import { arg } from './common.mjs';

const portal = arg('portal');
const pacs = arg('pacs');
const study = arg('study');
const series = arg('series');
const instances = arg('instances').split(',');
const steps = arg('readers', '1,4,16,64').split(',').map(Number);
const seconds = Number(arg('seconds', '10'));
const paceMs = Number(arg('pace-ms', '50'));
const gatewayPid = arg('pid');
const workload = arg('workload', 'frames');
const fairness = !process.argv.includes('--no-fairness');
const ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The gateway's resident and peak memory (kB), from /proc. */
function memory() {
  if (!gatewayPid) return {};
  const status = readFileSync(`/proc/${gatewayPid}/status`, 'utf8');
  const kb = (key) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1] ?? 0);
  return { rss_mb: Math.round(kb('VmRSS') / 1024), peak_mb: Math.round(kb('VmHWM') / 1024) };
}

/** A development clinician's cookie, then one share session per reader (distinct readers). */
async function sessions(count) {
  const login = await fetch(`${portal}/api/dev-login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
  });
  const doctor = login.headers.get('set-cookie').split(';')[0];
  const cookies = [];
  for (let i = 0; i < count; i += 1) {
    const made = await fetch(`${portal}/api/shares`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: doctor },
      body: JSON.stringify({
        study_uid: study, recipient: 'patient', expires_in_days: 1, access_code: 'none',
        consent: { given_by: 'patient', method: 'oral', given_at: Math.floor(Date.now() / 1000) },
      }),
    });
    const { link } = await made.json();
    const opened = await fetch(`${portal}/api/share-sessions`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: link.split('#')[1] }),
    });
    if (opened.status !== 200) throw new Error(`share session: HTTP ${opened.status}`);
    cookies.push(opened.headers.get('set-cookie').split(';')[0]);
  }
  return cookies;
}

/** The searches and metadata the viewer asks for as it opens the study (JSON, timed). */
async function openStudy(root, cookie, stats) {
  const json = { Accept: 'application/dicom+json', ...(cookie ? { Cookie: cookie } : {}) };
  for (const path of [
    `studies?StudyInstanceUID=${study}&includefield=00081030&includefield=00080061`,
    `studies/${study}/series?includefield=0008103E`,
    `studies/${study}/series/${series}/metadata`,
  ]) {
    const started = performance.now();
    try {
      const answer = await fetch(`${root}/${path}`, { headers: json });
      const body = await answer.arrayBuffer();
      if (answer.status !== 200) stats.errors += 1;
      else {
        stats.studyLatencies.push(performance.now() - started);
        stats.bytes += body.byteLength;
      }
    } catch {
      stats.errors += 1;
    }
  }
}

/** One reader: the frames in order, one at a time, `paceMs` apart, until `until` (with
 * `--workload study`, the study opened again before each pass over its frames). */
async function reader(root, cookie, until, pace, stats, offset) {
  let n = offset;
  const mine = { frames: 0 };
  while (Date.now() < until) {
    if (workload === 'study' && (n - offset) % instances.length === 0) {
      await openStudy(root, cookie, stats);
    }
    const instance = instances[n % instances.length];
    n += 1;
    const started = performance.now();
    try {
      const answer = await fetch(`${root}/studies/${study}/series/${series}/instances/${instance}/frames/1`,
        { headers: cookie ? { Accept: ACCEPT, Cookie: cookie } : { Accept: ACCEPT } });
      const body = await answer.arrayBuffer();
      if (answer.status !== 200) stats.errors += 1;
      else {
        stats.latencies.push(performance.now() - started);
        stats.bytes += body.byteLength;
        mine.frames += 1;
      }
    } catch {
      stats.errors += 1;
    }
    if (pace > 0) await sleep(pace);
  }
  stats.perReader.push(mine.frames);
}

/** The study opening's requests: how many, and their latency. */
function studyFigures(stats) {
  const sorted = [...stats.studyLatencies].sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
  return sorted.length
    ? { study_requests: sorted.length, study_p50_ms: at(0.5), study_p99_ms: at(0.99) }
    : { study_requests: 0 };
}

function summary(label, readers, stats, elapsedS) {
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
  const fewest = Math.min(...stats.perReader);
  const most = Math.max(...stats.perReader);
  return {
    path: label, readers,
    frames_per_s: Math.round(sorted.length / elapsedS),
    mb_per_s: Math.round(stats.bytes / elapsedS / 1e5) / 10,
    p50_ms: Math.round(at(0.5) * 10) / 10, p99_ms: Math.round(at(0.99) * 10) / 10,
    errors: stats.errors, fewest_frames_per_reader: fewest, most_frames_per_reader: most,
    ...(workload === 'study' ? { workload, ...studyFigures(stats) } : {}),
  };
}

async function step(label, root, cookies, count, pace, extra = []) {
  const stats = { latencies: [], studyLatencies: [], bytes: 0, errors: 0, perReader: [] };
  const until = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all([
    ...Array.from({ length: count }, (_, i) => reader(root, cookies?.[i], until, pace, stats, i * 7)),
    ...extra.map((run) => run(until)),
  ]);
  return summary(label, count, stats, (performance.now() - started) / 1000);
}

const most = Math.max(...steps);
const cookies = await sessions(most + 1);
for (const count of steps) {
  const direct = await step('orthanc', pacs, null, count, paceMs);
  const through = await step('gateway', `${portal}/dicom-web`, cookies, count, paceMs);
  console.log(JSON.stringify({ ...direct, ...memory() }));
  console.log(JSON.stringify({ ...through, ...memory() }));
}
if (!fairness) process.exit(0);
// Fairness: four paced readers alone, then beside one greedy client (its own session) asking
// 64 frames at a time without pause.
const paced = cookies.slice(0, 4);
const alone = await step('gateway, 4 paced readers alone', `${portal}/dicom-web`, paced, 4, paceMs);
const greedyStats = { latencies: [], studyLatencies: [], bytes: 0, errors: 0, perReader: [] };
const greedy = (until) => Promise.all(Array.from({ length: 64 }, (_, i) =>
  reader(`${portal}/dicom-web`, cookies[most], until, 0, greedyStats, i)));
const beside = await step('gateway, 4 paced readers beside a greedy client', `${portal}/dicom-web`, paced, 4, paceMs, [greedy]);
console.log(JSON.stringify({ ...alone, ...memory() }));
console.log(JSON.stringify({ ...beside, ...memory() }));
console.log(JSON.stringify({ ...summary('gateway, the greedy client (64 at once)', 1, greedyStats, seconds), ...memory() }));
