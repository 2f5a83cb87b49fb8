// qdq-wasm: exact int8/uint8 quantization in WebAssembly SIMD128.
// This entry loads the .wasm files shipped next to it in dist/. The URLs use the
// new URL(path, import.meta.url) pattern, which webpack 5 and Vite turn
// into emitted assets; they are computed only when init() needs them, so a
// classic-script bundle loads and init() explains what to do instead.
// 'qdq-wasm/inline' (js/inline.js) is the same API with the bytes embedded.
import { setWasmSource } from './runtime/loader.js';

// One literal new URL(...) per file, the form bundlers recognize; the -mt
// builds (shared memory, for threads) are only fetched when threads can run.
setWasmSource((build) => {
  switch (build) {
    case 'relaxed': return new URL('../dist/qdq-relaxed.wasm', import.meta.url);
    case 'relaxed-mt': return new URL('../dist/qdq-relaxed-mt.wasm', import.meta.url);
    case 'simd128-mt': return new URL('../dist/qdq-simd128-mt.wasm', import.meta.url);
    default: return new URL('../dist/qdq-simd128.wasm', import.meta.url);
  }
});

export * from './api.js';
