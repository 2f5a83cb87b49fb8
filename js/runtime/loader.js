// The one loader: finds, compiles and instantiates a qdq-wasm build once, in
// Node (fs) or a browser (fetch), and hands the rest of js/ a Runtime.
// No top-level await: init() is idempotent and returns the same promise.

import { Runtime } from './binding.js';
import { MIN_WORK_PER_THREAD, Pool, coreCount, sharedMemoryAvailable } from './pool.js';
import { CONTROL } from './pool-control.js';

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

// i32.const 0; i8x16.splat; i8x16.popcnt (wasm-feature-detect's SIMD128 probe).
const SIMD128_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

// (func (export "f") (result i32)
//   (i16x8.extract_lane_s 0 (i16x8.relaxed_dot_i8x16_i7x16_s (v128.const i8x16 2 ...) (v128.const i8x16 3 ...))))
// must return 2*3 + 2*3 = 12. Validation alone is not enough: Node 20 behind
// --experimental-wasm-relaxed-simd validates relaxed modules but implements an
// older draft whose dot products differ (../shared/TOOLCHAIN.md).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 46, 1,
  44, 0, 253, 12, ...new Array(16).fill(2), 253, 12, ...new Array(16).fill(3), 253, 146, 2, 253, 24,
  0, 11,
]);

/** @type {Map<string, URL>} */
const BUILD_URLS = new Map([
  ['relaxed', new URL('../../dist/qdq-relaxed.wasm', import.meta.url)],
  ['simd128', new URL('../../dist/qdq-simd128.wasm', import.meta.url)],
  ['relaxed-mt', new URL('../../dist/qdq-relaxed-mt.wasm', import.meta.url)],
  ['simd128-mt', new URL('../../dist/qdq-simd128-mt.wasm', import.meta.url)],
]);

/** Default thread cap: beyond 8, the calls this library serves rarely have the columns to share. */
const DEFAULT_MAX_THREADS = 8;
/** Pages of the shared memory at start (the builds' -sINITIAL_MEMORY=4MB) and at most (2 GiB). */
const SHARED_INITIAL_PAGES = 64;
const SHARED_MAXIMUM_PAGES = 32768;

/** @type {Promise<Runtime> | null} */
let pending = null;
/** @type {Runtime | null} */
let runtime = null;
/** @type {Pool | null} */
let pool = null;

function isNode() {
  return typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
}

/** @returns {boolean} whether this engine runs relaxed SIMD with final semantics. */
export function supportsRelaxedSimd() {
  try {
    if (!WebAssembly.validate(RELAXED_PROBE)) return false;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(RELAXED_PROBE));
    return /** @type {() => number} */ (instance.exports.f)() === 12;
  } catch {
    return false;
  }
}

/** @returns {boolean} whether this engine runs fixed-width SIMD128. */
export function supportsSimd128() {
  try {
    return WebAssembly.validate(SIMD128_PROBE);
  } catch {
    return false;
  }
}

/**
 * Which build to load when the caller does not say.
 * @returns {'relaxed' | 'simd128'}
 */
function bestBuild() {
  if (typeof WebAssembly !== 'object') {
    throw new Error('qdq-wasm: this JavaScript engine has no WebAssembly support');
  }
  if (!supportsSimd128()) {
    throw new Error('qdq-wasm: this engine lacks WebAssembly SIMD128 (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+)');
  }
  return supportsRelaxedSimd() ? 'relaxed' : 'simd128';
}

/** @param {Uint8Array} bytes @param {string} where */
function checkMagic(bytes, where) {
  if (bytes.length < 4 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    const head = new TextDecoder().decode(bytes.subarray(0, 64)).replace(/\s+/g, ' ').trim();
    throw new Error(
      `qdq-wasm: ${where} is not a WebAssembly module (it starts with ${JSON.stringify(head)}; ` +
        'is the server sending an HTML page instead of the .wasm file?)',
    );
  }
}

/** @param {URL} url @returns {Promise<WebAssembly.Module>} */
async function compileUrl(url) {
  if (url.protocol === 'file:' && isNode()) {
    const { readFile } = await import('node:fs/promises');
    let bytes;
    try {
      bytes = new Uint8Array(await readFile(url));
    } catch (err) {
      throw new Error(`qdq-wasm: cannot read ${url.pathname} (run 'npm run build' first?): ${/** @type {Error} */ (err).message}`);
    }
    checkMagic(bytes, url.pathname);
    return WebAssembly.compile(bytes);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`qdq-wasm: fetching ${url} failed: HTTP ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('application/wasm') && typeof WebAssembly.compileStreaming === 'function') {
    return WebAssembly.compileStreaming(response);
  }
  // Wrong MIME type (common on static hosts): compile from bytes instead.
  const bytes = new Uint8Array(await response.arrayBuffer());
  checkMagic(bytes, String(url));
  return WebAssembly.compile(bytes);
}

/**
 * @param {InitOptions['wasm']} source
 * @returns {Promise<WebAssembly.Module>}
 */
async function compileSource(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const bytes = source instanceof ArrayBuffer
      ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    checkMagic(bytes, 'the bytes passed to init()');
    return WebAssembly.compile(bytes);
  }
  if (typeof source === 'string' || source instanceof URL) {
    return compileUrl(new URL(source, typeof location !== 'undefined' ? location.href : import.meta.url));
  }
  throw new TypeError(`qdq-wasm: init({ wasm }) takes a URL, a string, bytes or a WebAssembly.Module, got ${typeof source}`);
}

/**
 * @typedef {object} InitOptions
 * @property {'simd128' | 'relaxed'} [build] which build to load (default: the best this engine runs correctly)
 * @property {string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module} [wasm] where to load it from instead of dist/
 *   (a shared-memory build, dist/qdq-*-mt.wasm, runs threaded; any other build runs on one thread)
 * @property {number} [numThreads] threads for large calls, this one included (default: the cores, at most 8;
 *   1: no pool, the single-threaded build). More than 1 needs shared memory: Node, or a cross-origin
 *   isolated page; elsewhere the library runs on one thread and init() says why.
 * @property {string | URL} [workerUrl] where the pool's worker script is (default: js/runtime/worker.js
 *   next to this file), for bundlers that move it
 */

/**
 * @typedef {object} InitResult
 * @property {'simd128' | 'relaxed'} build
 * @property {number} threads threads large calls run on (1: no pool)
 * @property {string | null} threadsNote why there are fewer threads than asked for, or null
 */

/**
 * Loads and instantiates qdq-wasm. Idempotent: later calls return the first
 * call's promise (their options are ignored once loading has begun). A failed
 * load can be retried.
 * @param {InitOptions} [options]
 * @returns {Promise<InitResult>}
 * @example
 * import { init, quantizePerTensor } from 'qdq-wasm';
 * await init();
 */
export function init(options = {}) {
  if (pending === null) {
    pending = (async () => {
      const build = options.build ?? bestBuild();
      const url = BUILD_URLS.get(build);
      if (url === undefined || build.endsWith('-mt')) {
        throw new RangeError(`qdq-wasm: build must be 'simd128' or 'relaxed', got ${JSON.stringify(build)}`);
      }
      const asked = options.numThreads ?? Math.min(await coreCount(), DEFAULT_MAX_THREADS);
      if (!Number.isInteger(asked) || asked < 1) {
        throw new RangeError(`qdq-wasm: numThreads must be an integer >= 1, got ${String(asked)}`);
      }
      threadsNote = null;
      const shared = sharedMemoryAvailable();
      if (asked > 1 && !shared) {
        threadsNote = 'qdq-wasm: shared memory is not available (a browser page needs to be cross-origin isolated: ' +
          'COOP same-origin and COEP require-corp); running on one thread';
      }
      const threaded = asked > 1 && shared;
      const module = await compileSource(options.wasm ?? (threaded ? BUILD_URLS.get(`${build}-mt`) : url));
      if (!importsMemory(module)) {
        if (threaded) {
          threadsNote = 'qdq-wasm: the module passed as `wasm` is not a shared-memory build (dist/qdq-*-mt.wasm); ' +
            'running on one thread';
        }
        runtime = instantiate(module, build);
        return runtime;
      }
      if (!shared) throw new Error('qdq-wasm: this is a shared-memory build (qdq-*-mt.wasm), and shared memory is not available here');
      const memory = new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAXIMUM_PAGES, shared: true });
      /** @type {Pool | null} */
      let p = null;
      const instance = instantiateModule(module, {
        memory,
        qdq_host_tasks: (/** @type {number} */ work, /** @type {number} */ units) => (p === null ? 1 : p.tasks(work, units)),
        qdq_host_parallelize: (/** @type {number} */ fn, /** @type {number} */ ctx, /** @type {number} */ tasks) =>
          /** @type {Pool} */ (p).parallelize(fn, ctx, tasks),
      });
      const rt = new Runtime(instance, build, memory);
      const created = new Pool({ exports: rt.exports, memory }, rt.malloc(CONTROL.words * 4, 'the thread pool'));
      await created.start(module, asked, (bytes) => rt.malloc(bytes, 'a worker stack'), { workerUrl: options.workerUrl });
      if (created.error !== null) threadsNote = created.error;
      p = created;
      pool = created;
      runtime = rt;
      return runtime;
    })();
    pending.catch(() => {
      pending = null;
    });
  }
  return pending.then(() => result());
}

/** @type {string | null} */
let threadsNote = null;

/** @returns {InitResult} */
function result() {
  return { build: backend(), threads: threads(), threadsNote };
}

/** @param {WebAssembly.Module} module */
function importsMemory(module) {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/**
 * Threads that large calls run on, this one included: 1 without a pool.
 * @returns {number}
 */
export function threads() {
  getRuntime();
  return pool === null ? 1 : pool.size;
}

/**
 * Ends the pool's workers. The library stays usable on the calling thread.
 * Not needed for a Node process to exit (idle workers are unref'd); call it
 * to free the threads of a page or a long-lived process. Idempotent.
 */
export function shutdownThreads() {
  if (pool !== null) pool.dispose();
}

/** Parallel regions the pool has run (0 without a pool). @internal */
export function parallelRegions() {
  return pool === null ? 0 : pool.regions;
}

/**
 * At most `n` threads per call (Infinity: all), splitting calls of at least
 * `minWork` multiply-adds per thread (default: the measured threshold). For
 * tests and benchmarks that compare thread counts in one process.
 * @param {number} n @param {number} [minWork] @internal
 */
export function setThreadLimit(n, minWork = MIN_WORK_PER_THREAD) {
  if (pool !== null) {
    pool.limit = n;
    pool.minWork = minWork;
  }
}

/**
 * Synchronous init from bytes or a compiled module, for callers that already
 * hold the .wasm (Node scripts, workers). Idempotent like init().
 * @param {ArrayBuffer | ArrayBufferView | WebAssembly.Module} wasm
 * @param {{ build?: 'simd128' | 'relaxed' }} [options]
 */
export function initSync(wasm, options = {}) {
  if (runtime !== null) return;
  let module;
  if (wasm instanceof WebAssembly.Module) {
    module = wasm;
  } else if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) {
    const bytes = wasm instanceof ArrayBuffer ? new Uint8Array(wasm) : new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength);
    checkMagic(bytes, 'the bytes passed to initSync()');
    module = new WebAssembly.Module(bytes);
  } else {
    throw new TypeError(`qdq-wasm: initSync() takes bytes or a WebAssembly.Module, got ${typeof wasm}`);
  }
  runtime = instantiate(module, options.build ?? 'simd128');
  pending = Promise.resolve(runtime);
}

/** @param {WebAssembly.Module} module @param {'simd128' | 'relaxed'} build */
function instantiate(module, build) {
  return new Runtime(instantiateModule(module), build);
}

/**
 * A fresh instance of a qdq-wasm module (production or test build), with the
 * few imports its standalone libc needs, initialized.
 * @param {WebAssembly.Module} module
 * @param {Record<string, any>} [env] more env imports (a -mt build's memory and thread hooks)
 * @returns {WebAssembly.Instance}
 * @internal for js/runtime and the tests' raw access to the test builds
 */
export function instantiateModule(module, env = {}) {
  const instance = new WebAssembly.Instance(module, {
    // Emscripten's standalone libc calls this after memory.grow; views are
    // refreshed lazily by Runtime, so there is nothing to do here.
    env: { emscripten_notify_memory_growth: () => {}, ...env },
    wasi_snapshot_preview1: {
      proc_exit: (/** @type {number} */ code) => {
        throw new Error(`qdq-wasm: the module called exit(${code})`);
      },
      fd_write: () => 52, // ENOSYS: the library never prints
      fd_close: () => 52,
      fd_seek: () => 52,
    },
  });
  const initialize = /** @type {(() => void) | undefined} */ (instance.exports._initialize);
  if (initialize) initialize();
  return instance;
}

/**
 * The loaded runtime; throws when init() has not finished.
 * @returns {Runtime}
 */
export function getRuntime() {
  if (runtime === null) {
    throw new Error('qdq-wasm: not initialized; call `await init()` once before using the library');
  }
  return runtime;
}

/**
 * Which build is running: 'simd128' or 'relaxed'.
 * @returns {'simd128' | 'relaxed'}
 */
export function backend() {
  return /** @type {'simd128' | 'relaxed'} */ (getRuntime().build);
}
