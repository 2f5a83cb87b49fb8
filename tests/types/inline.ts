// Compile-only checks of js/inline.d.ts ('qdq-wasm/inline'): the main
// entry's API, with initSync()'s bytes optional (api.ts checks that the main
// entry's initSync() requires them).
import { initSync, quantizePerTensor, DynamicQuantizedLinear, nn, type QTensorPerTensor } from '../../js/inline.js';

export function inlineEntry(): number {
  initSync();
  initSync(undefined, { build: 'simd128' });
  initSync(new Uint8Array(8), { build: 'relaxed' });
  // @ts-expect-error no such build
  initSync(undefined, { build: 'sse' });
  const q: QTensorPerTensor = quantizePerTensor(Float32Array.of(0, 0.5, 1), { scale: 1 / 255 });
  const layer = DynamicQuantizedLinear.fromFloat(new Float32Array(4), null, { inFeatures: 2, outFeatures: 2 });
  layer.dispose();
  const model: nn.Module = new nn.Sequential(new nn.Linear(2, 2));
  return q.scale + (model.training ? 1 : 0);
}
