// What each thread of a page did between two of its performance marks, from a Chromium trace
// written by `viewers.mjs --trace DIR`: busy time per thread, then every task longer than
// --min ms with the events inside it that took the most.
//
// node bench/trace_summary.mjs TRACE.json [--from study-opened] [--to first-decoded] [--min 4]
// Times are in ms since the page's navigation, like the waterfall's.
import fs from 'node:fs';

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const FROM = arg('from', 'study-opened');
const TO = arg('to', 'first-decoded');
const MIN_MS = Number(arg('min', 4));

const parsed = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;

const threadNames = new Map();
for (const e of events) {
  if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
}
const navigation = events.find((e) => e.name === 'navigationStart'
  && /^https?:/.test(e.args?.data?.documentLoaderURL ?? ''));
if (!navigation) throw new Error('no navigationStart of a page in this trace');
const pageMs = (ts) => (ts - navigation.ts) / 1000;
const markAt = (name) => {
  const mark = events.find((e) => e.name === name && String(e.cat).includes('blink.user_timing'));
  if (!mark) throw new Error(`no mark ${name} in this trace`);
  return pageMs(mark.ts);
};
const from = markAt(FROM);
const to = markAt(TO);
console.log(`${FROM} ${from.toFixed(0)} ms -> ${TO} ${to.toFixed(0)} ms`);

// Complete events per thread, in order; a task is one the scheduler ran.
const byThread = new Map();
for (const e of events) {
  if (e.ph !== 'X' || e.dur == null) continue;
  const key = `${e.pid}:${e.tid}`;
  if (!byThread.has(key)) byThread.set(key, []);
  byThread.get(key).push(e);
}
const isTask = (e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask';
for (const [key, list] of byThread) {
  list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // The outermost tasks only (a scheduler's task often wraps another of the same).
  const tasks = [];
  for (const e of list) {
    if (!isTask(e) || pageMs(e.ts + e.dur) <= from || pageMs(e.ts) >= to) continue;
    const outer = tasks[tasks.length - 1];
    if (outer && e.ts < outer.ts + outer.dur) continue;
    tasks.push(e);
  }
  const busy = tasks.reduce((sum, t) => {
    const start = Math.max(pageMs(t.ts), from);
    const end = Math.min(pageMs(t.ts + t.dur), to);
    return sum + Math.max(0, end - start);
  }, 0);
  if (busy < MIN_MS) continue;
  console.log(`\n${threadNames.get(key) ?? key}: busy ${busy.toFixed(0)} of ${(to - from).toFixed(0)} ms`);
  for (const task of tasks.filter((t) => t.dur / 1000 >= MIN_MS)) {
    const inside = list.filter((e) => !isTask(e) && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur);
    const heaviest = inside.sort((a, b) => b.dur - a.dur).slice(0, 4)
      .map((e) => `${e.name}${e.args?.data?.functionName ? `(${e.args.data.functionName})` : ''} ${(e.dur / 1000).toFixed(1)}`);
    console.log(`  ${pageMs(task.ts).toFixed(0).padStart(6)} +${(task.dur / 1000).toFixed(1).padStart(6)}  ${heaviest.join(', ')}`);
  }
}
