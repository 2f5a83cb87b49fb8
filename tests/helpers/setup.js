// Loads the build named by QDQ_BUILD (scripts/test.js sets it per run).
import * as qdq from '../../js/index.js';

export const BUILD = /** @type {'simd128' | 'relaxed'} */ (process.env.QDQ_BUILD ?? 'simd128');
// One thread unless QDQ_THREADS says otherwise: the suites test the
// single-threaded builds; tests/unit/threads.test.js tests the pool.
await qdq.init({ build: BUILD, numThreads: Number(process.env.QDQ_THREADS ?? 1) });
export { qdq };
