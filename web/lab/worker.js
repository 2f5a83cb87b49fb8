// The lab's Web Worker: loads the library, the committed Fashion-MNIST subset and
// float weights from the page's server, and runs one job at a time for the page
// (web/lab/main.js), posting progress as it goes. The page never computes: every
// number it shows comes from here, and so from qdq-wasm.
//
// Messages in:  { type: 'run', id, job: 'float' | 'train' | 'dynamic' | 'weight-only' | 'static' | 'qat' | 'sweep' | 'bits' | 'inspect', settings }
//               { type: 'cancel' }
// Messages out: { type: 'ready', backend, train, test } | { type: 'progress', id, job, kind, ...what } (kind 'curve':
//               points, the training steps since the last one) |
//               { type: 'done', id, job, result } | { type: 'cancelled', id } | { type: 'error', id, message }

// Relative: /js/ under npm start, and the repository's js/ from any static server at the repository root.
import * as q from '../../js/index.js';
import { parseIdx } from './data.js';
import { Cancelled, DEFAULTS, Lab } from './engine.js';

const WEIGHTS = new URL('../../models/fashion-mlp-f32.safetensors', import.meta.url).href;
const DATA = new URL('../../tests/fixtures/fashion-mnist-subset/', import.meta.url).href;

/** The decompressed bytes of a served .gz file. @param {string} url */
async function gunzip(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  // A server that sends .gz with Content-Encoding: gzip has had the browser decompress it already.
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

/** @param {'train' | 't10k'} split */
async function loadSplit(split) {
  const [images, labels] = await Promise.all([gunzip(`${DATA}${split}-images-idx3-ubyte.gz`), gunzip(`${DATA}${split}-labels-idx1-ubyte.gz`)]);
  return parseIdx(images, labels);
}

let cancelRequested = false;
let lastYield = 0;
/** @type {Promise<Lab>} */
const ready = (async () => {
  // One thread: the worker is already off the main thread, and the lab's batches are small.
  await q.init({ numThreads: 1 });
  const [train, test, weightsBytes] = await Promise.all([
    loadSplit('train'), loadSplit('t10k'),
    fetch(WEIGHTS).then((r) => {
      if (!r.ok) throw new Error(`${WEIGHTS}: HTTP ${r.status}`);
      return r.arrayBuffer();
    }),
  ]);
  const lab = new Lab(q, { train, test, weights: q.readSafetensors(new Uint8Array(weightsBytes)).tensors });
  postMessage({ type: 'ready', backend: q.backend(), train: train.count, test: test.count });
  return lab;
})();
ready.catch((e) => postMessage({ type: 'error', id: null, message: String(e?.message ?? e) }));

/** @type {Promise<unknown>} */
let queue = Promise.resolve();

self.onmessage = (/** @type {MessageEvent} */ e) => {
  const m = e.data;
  if (m.type === 'cancel') {
    cancelRequested = true;
    return;
  }
  if (m.type !== 'run') return;
  queue = queue.then(() => run(m.id, m.job, { ...DEFAULTS, ...m.settings }));
};

/**
 * @param {number} id @param {string} job @param {import('./engine.js').Settings} s
 */
async function run(id, job, s) {
  const lab = await ready;
  cancelRequested = false;
  lastYield = performance.now();
  // Training steps go out in batches at most five times a second: each message is a task on the
  // page's thread, and fewer tasks leave it freer while the worker trains.
  /** @type {Record<string, unknown>[]} */
  let steps = [];
  let lastFlush = performance.now();
  const flush = () => {
    if (steps.length) postMessage({ type: 'progress', id, job, kind: 'curve', points: steps });
    steps = [];
    lastFlush = performance.now();
  };
  /** @type {import('./engine.js').Control} */
  const ctl = {
    progress: ({ type: kind, ...what }) => {
      if (kind === 'curve') {
        steps.push(what);
        if (what.step === what.steps || performance.now() - lastFlush > 200) flush();
        return;
      }
      flush();
      postMessage({ type: 'progress', id, job, kind, ...what });
    },
    // Yields to the event loop every ~30 ms so that a cancel can arrive mid-run.
    tick: async () => {
      if (performance.now() - lastYield > 30) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
      if (cancelRequested) throw new Cancelled();
    },
  };
  try {
    let result;
    if (job === 'float') result = lab.runFloat();
    else if (job === 'train') result = await lab.trainFloat(s, ctl);
    else if (job === 'dynamic') result = lab.runDynamic(s);
    else if (job === 'weight-only') result = lab.runWeightOnly(s);
    else if (job === 'static') result = await lab.runStatic(s, ctl);
    else if (job === 'qat') result = await lab.runQat(s, ctl);
    else if (job === 'sweep') result = await lab.sweep(s, [1, 10, 100, 1000], ctl);
    else if (job === 'bits') result = await lab.bitSweep(s, [8, 6, 5, 4, 3, 2], ctl);
    else if (job === 'inspect') result = lab.inspect();
    else throw new Error(`unknown job '${job}'`);
    postMessage({ type: 'done', id, job, result, floatSource: lab.floatSource });
  } catch (err) {
    if (err instanceof Cancelled) postMessage({ type: 'cancelled', id, job });
    else postMessage({ type: 'error', id, job, message: String(/** @type {Error} */ (err)?.message ?? err) });
  }
}
