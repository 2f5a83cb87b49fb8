// qdq-wasm/inline: the API of js/index.js with both .wasm builds embedded as
// base64 (js/runtime/embedded.js, written by scripts/embed-wasm.js from dist/).
// No file to locate or serve: works under any bundler with default settings,
// in classic scripts, workers and from a CDN, at the price of size (README).
import { setWasmSource } from './runtime/loader.js';
import { RELAXED_BASE64, SIMD128_BASE64 } from './runtime/embedded.js';

/** @param {string} base64 @returns {Uint8Array} */
function decode(base64) {
  const fromBase64 = /** @type {any} */ (Uint8Array).fromBase64;
  if (typeof fromBase64 === 'function') return fromBase64(base64);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

// Only the single-threaded builds are embedded (size): threads need the
// package's dist/qdq-*-mt.wasm, passed as init({ wasm }).
setWasmSource((build) => (build.endsWith('-mt') ? null : decode(build === 'relaxed' ? RELAXED_BASE64 : SIMD128_BASE64)),
  { embedded: true });

export * from './api.js';
