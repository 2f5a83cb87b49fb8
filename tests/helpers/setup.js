// Loads the build named by QDQ_BUILD (scripts/test.js sets it per run).
import * as qdq from '../../js/index.js';
import { setThreadLimit } from '../../js/runtime/loader.js';

export const BUILD = /** @type {'simd128' | 'relaxed'} */ (process.env.QDQ_BUILD ?? 'simd128');
// One thread unless QDQ_THREADS says otherwise: the suites test the
// single-threaded builds; tests/unit/threads*.test.js test the pool, and
// scripts/test.js reruns the GEMM, streaming and blockwise suites with QDQ_THREADS=3,
// where every call is split however small, so that their references check
// the split paths.
const THREADS = Number(process.env.QDQ_THREADS ?? 1);
await qdq.init({ build: BUILD, numThreads: THREADS });
if (THREADS > 1) {
  if (qdq.threads() !== THREADS) throw new Error(`QDQ_THREADS=${THREADS}, but the pool runs ${qdq.threads()} threads`);
  setThreadLimit(THREADS, 0);
}
export { qdq };
