// Run with --expose-gc by tests/unit/finalization.test.js: layers that are
// dropped without dispose() are freed by the FinalizationRegistry safety net.
// Prints one JSON line: whether a block as large as everything the dropped
// objects took (at the peak, before collection) then fits without growing
// wasm memory, i.e. whether it all came back.
import { init, DynamicQuantizedLinear, PackedMatrix } from '../../js/index.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { RawWasm } from './raw-wasm.js';

await init({ build: process.env.QDQ_BUILD ?? 'simd128' });
const rt = new RawWasm(getRuntime());
/** Address of a fresh small block. */
const probe = () => {
  const p = rt.alloc(24);
  rt.free(p);
  return p;
};

function forget() {
  // Created and dropped: nothing disposes them.
  DynamicQuantizedLinear.fromFloat(new Float32Array(64 * 256).fill(0.5), null, { inFeatures: 256, outFeatures: 64 });
  PackedMatrix.pack(new Int8Array(128 * 96), { k: 128, n: 96 });
}

forget(); // warm-up: first use may allocate what later objects reuse
for (let i = 0; i < 5; i++) {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 10));
}
const used = probe(); // roughly where the live heap ends
for (let i = 0; i < 200; i++) forget(); // about 5 MB, more than the heap had
for (let i = 0; i < 10; i++) {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 10)); // finalizers run as tasks after a collection
}
const peak = rt.memory.buffer.byteLength;
const big = rt.alloc(peak - used - (1 << 20)); // fits only if the dropped objects' memory was freed
const fitted = rt.memory.buffer.byteLength === peak;
rt.free(big);
console.log(JSON.stringify({ fitted, peak, used }));
