// What a consumer writes, compiled under several `lib` settings
// (tsconfig.es2022.json, tsconfig.esnext.json) with strict and skipLibCheck false.
import { init, quantize, DynamicQuantizedLinear } from '../../js/index.js';

export async function consumer(): Promise<number> {
  await init({ wasm: new Uint8Array(8) });
  const q = quantize(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
  const layer = DynamicQuantizedLinear.fromFloat(new Float32Array(4), null, { inFeatures: 2, outFeatures: 2 });
  layer[Symbol.dispose]();
  return q.scale;
}
