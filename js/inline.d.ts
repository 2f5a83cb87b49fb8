// Types of 'qdq-wasm/inline': those of js/index.d.ts, except initSync(),
// whose bytes are optional here because this entry embeds both builds.
export * from './index.js';

/**
 * Synchronous init from the embedded bytes (no argument; the best build this
 * engine runs, or `options.build`), or from bytes or a compiled module as on
 * the main entry. Once initialized, a call asking for nothing different is a
 * no-op, and one asking for another build or source throws.
 * @example
 * import { initSync, quantizePerTensor } from 'qdq-wasm/inline';
 * initSync();
 * const q = quantizePerTensor(Float32Array.of(0, 0.5, 1), { scale: 0.25, dtype: 'uint8' }); // q.data: 0, 2, 4
 */
export function initSync(wasm?: ArrayBuffer | ArrayBufferView | WebAssembly.Module, options?: { build?: 'simd128' | 'relaxed' }): void;
