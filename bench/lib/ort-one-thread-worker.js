// The worker of bench/lib/ort-one-thread.js: onnxruntime-web with one thread,
// its sessions, and batches of runs timed here.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
ort.env.wasm.numThreads = 1;
/** @type {Record<string, { session: any, feeds: Record<string, any> }>} */
let sessions = {};

port.on('message', async (/** @type {any} */ msg) => {
  try {
    if (msg.models) {
      for (const s of Object.values(sessions)) await s.session.release();
      sessions = {};
      for (const [name, { model, feeds }] of Object.entries(msg.models)) {
        /** @type {Record<string, any>} */
        const tensors = {};
        for (const [input, f] of Object.entries(/** @type {Record<string, any>} */ (feeds))) tensors[input] = new ort.Tensor(f.type, f.data, f.dims);
        sessions[name] = { session: await ort.InferenceSession.create(model), feeds: tensors };
      }
      port.postMessage(0);
      return;
    }
    const { session, feeds } = sessions[msg.name];
    const t0 = performance.now();
    for (let i = 0; i < msg.reps; i++) await session.run(feeds);
    port.postMessage(performance.now() - t0);
  } catch (err) {
    port.postMessage({ error: String(/** @type {Error} */ (err)?.stack ?? err) });
  }
});
port.postMessage('ready');
