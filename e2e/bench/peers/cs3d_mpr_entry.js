// The MPR benchmark's cornerstone3D 5.14 page: the series as a streaming image volume shown in
// three orthographic viewports (axial, coronal, sagittal), the way its MPR examples and OHIF's
// MPR layout build it, loaded over WADO-RS from the same origin.
// URL: cs3d-mpr.html?series=<SeriesInstanceUID>&study=<StudyInstanceUID>[&root=/dicom-web]
// Window 40/400 on every viewport (the CT's own window, as our viewer opens it).
//
// What the runner (e2e/bench/mpr.mjs) reads:
//   performance marks `mpr-volume-complete` (the volume's last slice inserted) and
//   `mpr-drawn-<view>` (that viewport's first render after it);
//   window.__bench { done, error }; window.__benchMpr { scroll(view, delta), drag(step),
//   camera(view) (its focal point, patient mm) }:
//   scroll moves one viewport through its own normal by `delta` slices; drag moves the coronal
//   and sagittal planes by `step` slices each, what the Crosshairs tool of @cornerstonejs/tools
//   does to the other viewports' cameras while the centre is dragged (the tools package is
//   not part of the peer harness).
import { init as csInit, RenderingEngine, Enums, volumeLoader, setVolumesForViewports, eventTarget, utilities } from '@cornerstonejs/core';
import { init as dilInit, wadors } from '@cornerstonejs/dicom-image-loader';

const VIEWS = [
  ['axial', Enums.OrientationAxis.AXIAL],
  ['coronal', Enums.OrientationAxis.CORONAL],
  ['sagittal', Enums.OrientationAxis.SAGITTAL],
];
const VOLUME_ID = 'cornerstoneStreamingImageVolume:bench-ct';
const params = new URLSearchParams(location.search);
const state = (window.__bench = { done: false, error: null });
const markOnce = (name) => { if (!performance.getEntriesByName(name).length) performance.mark(name); };
const value = (dataset, tag) => dataset[tag]?.Value;

async function seriesMetadata(root, study, series) {
  const response = await fetch(`${root}/studies/${study}/series/${series}/metadata`, {
    headers: { Accept: 'application/dicom+json' },
  });
  if (!response.ok) throw new Error(`metadata: HTTP ${response.status}`);
  return response.json();
}

async function main() {
  const root = new URL(params.get('root') || '/dicom-web', location.href).href.replace(/\/$/, '');
  const study = params.get('study');
  const series = params.get('series');
  await csInit();
  dilInit({ wasmBasePath: new URL('cs3d/wasm/', location.href).href });
  const instances = await seriesMetadata(root, study, series);
  const imageIds = instances.map((dataset) => {
    const sop = value(dataset, '00080018')[0];
    const id = `wadors:${root}/studies/${study}/series/${series}/instances/${sop}/frames/1`;
    wadors.metaDataManager.add(id, dataset);
    return id;
  });

  const engine = new RenderingEngine('mpr-bench');
  engine.setViewports(VIEWS.map(([id, orientation]) => ({
    viewportId: id,
    type: Enums.ViewportType.ORTHOGRAPHIC,
    element: document.getElementById(id),
    defaultOptions: { orientation },
  })));
  let complete = false;
  eventTarget.addEventListener(Enums.Events.IMAGE_VOLUME_MODIFIED, (event) => {
    const { volumeId, framesProcessed, numberOfFrames } = event.detail;
    if (volumeId === VOLUME_ID && framesProcessed === numberOfFrames && !complete) {
      complete = true;
      markOnce('mpr-volume-complete');
    }
  });
  for (const [id] of VIEWS) {
    document.getElementById(id).addEventListener(Enums.Events.IMAGE_RENDERED, () => {
      if (complete) markOnce(`mpr-drawn-${id}`);
    });
  }

  const volume = await volumeLoader.createAndCacheVolume(VOLUME_ID, { imageIds });
  volume.load();
  await setVolumesForViewports(engine, [{ volumeId: VOLUME_ID }], VIEWS.map(([id]) => id));
  for (const [id] of VIEWS) {
    engine.getViewport(id).setProperties({ voiRange: { lower: 40 - 200, upper: 40 + 200 } });
  }
  engine.render();

  const scroll = (id, delta) => utilities.scroll(engine.getViewport(id), { delta, volumeId: VOLUME_ID });
  window.__benchMpr = {
    scroll,
    drag(step) {
      scroll('coronal', step);
      scroll('sagittal', step);
    },
    camera: (id) => [...engine.getViewport(id).getCamera().focalPoint],
  };
  state.done = true;
}

main().catch((e) => {
  state.error = String(e?.stack ?? e).slice(0, 400);
  state.done = true;
});
