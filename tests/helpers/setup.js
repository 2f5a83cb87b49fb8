// Loads the build named by QDQ_BUILD (scripts/test.js sets it per run).
import * as qdq from '../../js/index.js';

export const BUILD = /** @type {'simd128' | 'relaxed'} */ (process.env.QDQ_BUILD ?? 'simd128');
await qdq.init({ build: BUILD });
export { qdq };
