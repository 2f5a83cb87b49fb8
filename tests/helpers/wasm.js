// Raw access to a qdq-wasm module for kernel tests and memory probes: the
// test build (build/qdq-test-<build>.wasm) exports every kernel and reference
// function, which the production dist/*.wasm do not ship. Tests alone use
// pointers; the library keeps them inside js/runtime/binding.js.
import { readFileSync } from 'node:fs';
import { instantiateModule } from '../../js/runtime/loader.js';
import { RawWasm } from './raw-wasm.js';

export { RawWasm };

const root = new URL('../../', import.meta.url);

/** @type {Map<string, RawWasm>} */
const cache = new Map();

/**
 * The test build of `build`, instantiated once per process.
 * @param {'simd128' | 'relaxed'} build
 * @returns {RawWasm}
 */
export function testWasm(build) {
  let w = cache.get(build);
  if (!w) {
    const bytes = readFileSync(new URL(`build/qdq-test-${build}.wasm`, root));
    w = new RawWasm(instantiateModule(new WebAssembly.Module(bytes)));
    cache.set(build, w);
  }
  return w;
}
