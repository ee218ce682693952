// Inlined into the page by Trunk, so it runs while the app's code is still downloading and
// compiling. It starts what the app would otherwise start only once it runs: the session
// check, a study link's searches and its series' metadata, and the small decoder worker. The
// app takes these (web-app/src/early.rs) instead of starting them again; anything it does not
// take is simply not used. Only same-origin paths, built from values that are UIDs.
(() => {
  const taken = { requests: new Map(), worker: null };
  window.__portalEarly = taken;
  const uid = (v) => (v && v.length <= 64 && /^[0-9]+(\.[0-9]+)*$/.test(v) ? v : null);
  const get = (url, accept) => {
    taken.requests.set(url, fetch(url, { headers: { Accept: accept }, credentials: 'same-origin' }));
  };
  // Share links trade their token first; other routes open no study.
  if (location.pathname !== '/' || location.hash) return;
  const query = new URLSearchParams(location.search);
  get('/api/session', 'application/json');
  try {
    const worker = new Worker('/decode_small_loader.js');
    const messages = [];
    worker.onmessage = (event) => messages.push(event.data);
    worker.onerror = (event) => { event.preventDefault(); taken.worker_failed = true; };
    taken.worker = { worker, messages };
  } catch (_) { /* the app starts its own */ }
  const study = uid(query.get('study'));
  if (!study || query.has('report') || query.has('compare') || query.has('patient') || query.has('local')) return;
  const json = 'application/dicom+json';
  get(`/dicom-web/studies?StudyInstanceUID=${study}&includefield=00081030&includefield=00080061`
    + '&includefield=00100030&includefield=00100040', json);
  get(`/dicom-web/studies/${study}/series?includefield=0008103E`, json);
  const series = uid(query.get('series'));
  if (series) get(`/dicom-web/studies/${study}/series/${series}/metadata`, json);
})();
