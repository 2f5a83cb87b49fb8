// onnxruntime-web on ONE thread in the same process as the benchmark that
// runs it on T: a worker thread with its own copy of onnxruntime-web and
// numThreads = 1 (onnxruntime-web's thread count is per instance and fixed
// when its wasm starts, and intraOpNumThreads does not lower it in Node).
// The worker times its own batches, so no message latency enters a call's
// time; its candidates plug into timeAllRuns beside the others, and the
// paired ratio against onnxruntime on T threads is the peer's own speedup at
// the same moments as ours (bench/threads.js).
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker (unref'd) and waits until onnxruntime-web is loaded in it.
 * @returns {Promise<{ load: (models: Record<string, { model: Uint8Array, feeds: Record<string, { type: string, data: ArrayBufferView, dims: number[] }> }>) => Promise<void>,
 *   candidate: (name: string) => (() => Promise<void>) & { batch: (reps: number) => Promise<number> }, close: () => Promise<void> }>}
 */
export async function ortOneThread() {
  const worker = new Worker(new URL('./ort-one-thread-worker.js', import.meta.url));
  worker.unref();
  /** @type {Promise<any>} */
  let queue = Promise.resolve();
  /** One request at a time: each answer is the next message (a failed one does not block the next). @param {object} msg */
  const ask = (msg) => {
    queue = queue.catch(() => {}).then(() => new Promise((resolve, reject) => {
      worker.once('message', (m) => (m?.error ? reject(new Error(m.error)) : resolve(m)));
      worker.postMessage(msg);
    }));
    return queue;
  };
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    /** Replaces the worker's sessions with one per named model, each run on its feeds. */
    load: (models) => ask({ models }),
    /**
     * A timeAllRuns candidate for the named session: calling it runs once;
     * batch(reps) runs reps times in the worker and returns the worker's own ms.
     * @param {string} name
     */
    candidate(name) {
      const one = async () => {
        await ask({ name, reps: 1 });
      };
      return Object.assign(one, { batch: (/** @type {number} */ reps) => ask({ name, reps }) });
    },
    close: () => worker.terminate().then(() => {}),
  };
}
