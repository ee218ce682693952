// The small decoder worker (decode-worker's decode_small binary, built by Trunk as a no-modules
// script): loads its code, whose main() starts answering and posts {ready: true}; if the code
// cannot be loaded, says so, so that the page fails its frames instead of waiting.
importScripts('./decode_small.js');
// Its linear memory stays in reach of the benchmark, which reports the workers' memory.
wasm_bindgen({ module_or_path: './decode_small_bg.wasm' })
  .then((code) => { self.decoderMemory = code.memory; })
  .catch(() => postMessage({ failed: true }));
