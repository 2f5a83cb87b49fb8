// The one loader: finds, compiles and instantiates a qdq-wasm build once, in
// Node (fs) or a browser (fetch), and hands the rest of js/ a Runtime.
// Browser-safe as written: no import of a Node built-in (Node's fs is reached
// through process.getBuiltinModule at run time, invisible to bundlers), no
// top-level await, and nothing at module top level that needs import.meta.url,
// so a classic-script bundle loads it. Where the .wasm comes from is
// registered by the entry point: js/index.js (files next to the package,
// located with new URL(..., import.meta.url)) or js/inline.js (embedded bytes).

import { ISA_RELAXED_SIMD, ISA_SIMD128, MAX_THREADS } from './abi.js';
import { Runtime } from './binding.js';
import { describe, options as optionsObject } from './validate.js';
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
// older draft whose dot products differ (docs/toolchain.md).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 46, 1,
  44, 0, 253, 12, ...new Array(16).fill(2), 253, 12, ...new Array(16).fill(3), 253, 146, 2, 253, 24,
  0, 11,
]);

/**
 * Where init() finds a build when the caller gives no `wasm`: a URL (js/index.js)
 * or the bytes themselves (js/inline.js, which wins when both entries are loaded).
 * The shared-memory builds ('-mt', for threads) may be missing (null): then
 * the library runs on one thread.
 * @typedef {(build: 'simd128' | 'relaxed' | 'simd128-mt' | 'relaxed-mt') => URL | Uint8Array | null} WasmSource
 */
/** @type {WasmSource | null} */
let locate = null;
/** @type {WasmSource | null} */
let embedded = null;

/**
 * Called once by each entry point.
 * @param {WasmSource} source
 * @param {{ embedded?: boolean }} [options]
 */
export function setWasmSource(source, options = {}) {
  if (options.embedded) embedded = source;
  else locate = source;
}

const FIX = "pass init({ wasm }) a URL or the bytes of node_modules/qdq-wasm/dist/qdq-<build>.wasm, or import from 'qdq-wasm/inline', which embeds both builds";

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
/** Why there are fewer threads than asked for, or null. @type {string | null} */
let threadsNote = null;
/** Whether shutdownThreads() was called: the pool, once started, is ended and stays so. */
let stopped = false;
/** What the first init()/initSync() was given, to refuse a different second one. */
let firstWasm = /** @type {unknown} */ (undefined);

/** @returns {typeof import('node:fs/promises') | null} */
function nodeFs() {
  const proc = /** @type {any} */ (globalThis).process;
  return typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:fs/promises') : null;
}

/** What a relative `wasm` string is relative to: the page (or worker), else Node's working directory. */
function baseUrl() {
  if (typeof location !== 'undefined') return location.href;
  const proc = /** @type {any} */ (globalThis).process;
  const url = proc?.getBuiltinModule?.('node:url');
  if (url) return url.pathToFileURL(proc.cwd() + '/').href;
  throw new TypeError('qdq-wasm: init({ wasm }) got a relative URL and there is no page or working directory to resolve it against');
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
    throw new Error('qdq-wasm: this engine lacks WebAssembly SIMD128 (Chrome 91+, Firefox 89+, Safari 16.4+, Node 20+)');
  }
  return supportsRelaxedSimd() ? 'relaxed' : 'simd128';
}

/**
 * The build asked for of the package's own copies, if this engine runs it:
 * 'relaxed' where relaxed SIMD is missing (Node 20, Safari) is refused by name
 * instead of failing in WebAssembly.compile with "simd opcode not available",
 * and so is an engine that validates relaxed SIMD but computes an older
 * draft's dot products. (Bytes the caller passes are checked against the
 * build they claim first, then compiled: compileError() names the file.)
 * @param {'simd128' | 'relaxed' | undefined} build
 */
function runnable(build) {
  if (build === 'relaxed' && !supportsRelaxedSimd()) {
    throw new RangeError("qdq-wasm: build 'relaxed' needs relaxed SIMD, which this engine does not run correctly " +
      "(supportsRelaxedSimd() is false); leave build out to load the best build it runs, or ask for 'simd128'");
  }
  return build;
}

/** @param {unknown} build */
function checkBuild(build) {
  if (build != null && build !== 'simd128' && build !== 'relaxed') {
    const message = `qdq-wasm: build must be 'simd128' or 'relaxed', got ${describe(build)}`;
    throw typeof build === 'string' ? new RangeError(message) : new TypeError(message);
  }
}

const INIT_KEYS = ['build', 'wasm', 'numThreads', 'workerUrl'];
const INIT_SYNC_KEYS = ['build'];

/**
 * The options of init() or initSync(), checked like every options object:
 * an object (undefined: none), with only the known keys (a misspelled one is
 * a TypeError that suggests the right one), build and numThreads valid.
 * @param {string} fn 'init' or 'initSync' @param {unknown} v @param {readonly string[]} keys
 * @returns {InitOptions}
 */
function initOptions(fn, v, keys) {
  if (typeof v === 'string') {
    const key = v === 'simd128' || v === 'relaxed' ? 'build' : 'wasm';
    throw new TypeError(`qdq-wasm: ${fn} options must be an options object, got ${describe(v)}; ` +
      `did you mean ${fn}({ ${key}: ${JSON.stringify(v)} })?`);
  }
  const o = optionsObject(`${fn} options`, v, keys, {});
  checkBuild(o.build);
  if (o.numThreads != null) threadCount(o.numThreads);
  if (o.workerUrl != null && typeof o.workerUrl !== 'string' && !(o.workerUrl instanceof URL)) {
    throw new TypeError(`qdq-wasm: workerUrl must be a string or a URL, got ${describe(o.workerUrl)}`);
  }
  return o;
}

/**
 * numThreads, checked: an integer >= 1 (a TypeError for a non-number, '2' included).
 * @param {unknown} n @returns {number}
 */
function threadCount(n) {
  if (typeof n !== 'number') throw new TypeError(`qdq-wasm: numThreads must be a number, got ${describe(n)}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`qdq-wasm: numThreads must be an integer >= 1, got ${n}`);
  return n;
}

/** @param {Uint8Array} bytes @param {string} where */
function checkMagic(bytes, where) {
  if (bytes.length < 4 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error(`qdq-wasm: ${where} is not a WebAssembly module (${startsWith(bytes)}). To fix: ${FIX}`);
  }
}

/**
 * What bytes that are not a module start with, and the likely cause: text (an
 * HTML page a server sent for a missing file) quoted, anything else in hex, a
 * gzip stream named as such (a .wasm.gz served without Content-Encoding).
 * @param {Uint8Array} bytes
 */
function startsWith(bytes) {
  if (bytes.length === 0) return 'it is empty';
  const head = bytes.subarray(0, 64);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    return 'it is gzip-compressed: a .wasm.gz sent without Content-Encoding: gzip? Pass the decompressed bytes';
  }
  // Text: printable ASCII, whitespace and UTF-8 bytes, as an HTML page or an error message is.
  if (head.every((b) => b >= 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) {
    const text = new TextDecoder().decode(head).replace(/\s+/g, ' ').trim();
    return `it starts with ${JSON.stringify(text)}; is the server sending an HTML page instead of the .wasm file?`;
  }
  const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with the bytes ${hex}${bytes.length > 8 ? ' …' : ''}, where a module starts with 00 61 73 6d`;
}

/**
 * A CompileError that says which file failed and, where this engine lacks
 * relaxed SIMD, that it is probably the relaxed build (V8's own message
 * speaks of an opcode and a V8 flag); other errors unchanged.
 * @param {unknown} err @param {string} where
 */
function compileError(err, where) {
  if (!(err instanceof WebAssembly.CompileError)) return err;
  const hint = supportsRelaxedSimd() ? '' : "; this engine lacks relaxed SIMD: pass the 'simd128' build (dist/qdq-simd128.wasm) here";
  return new WebAssembly.CompileError(`qdq-wasm: cannot compile ${where} on this engine (${err.message})${hint}`);
}

/** @param {Uint8Array} bytes @param {string} where @returns {Promise<WebAssembly.Module>} */
async function compile(bytes, where) {
  try {
    return await WebAssembly.compile(bytes);
  } catch (err) {
    throw compileError(err, where);
  }
}

/** @param {URL} url @returns {Promise<WebAssembly.Module>} */
async function compileUrl(url) {
  const fs = url.protocol === 'file:' ? nodeFs() : null;
  if (fs !== null) {
    // The path as the file system spells it, for messages: a URL's pathname has %20 for a space.
    const path = decodeURIComponent(url.pathname);
    let bytes;
    try {
      bytes = new Uint8Array(await fs.readFile(url));
    } catch (err) {
      throw new Error(`qdq-wasm: cannot read ${path}: ${/** @type {Error} */ (err).message}`);
    }
    checkMagic(bytes, path);
    return compile(bytes, path);
  }
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`qdq-wasm: fetching ${url} failed: HTTP ${response.status} (the bundler or server did not publish the .wasm file there). To fix: ${FIX}`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('application/wasm') && typeof WebAssembly.compileStreaming === 'function') {
    return WebAssembly.compileStreaming(response).catch((err) => Promise.reject(compileError(err, String(url))));
  }
  // Wrong MIME type (common on static hosts): compile from bytes instead.
  const bytes = new Uint8Array(await response.arrayBuffer());
  checkMagic(bytes, String(url));
  return compile(bytes, String(url));
}

/** @param {ArrayBuffer | ArrayBufferView} source */
function bytesOf(source) {
  return source instanceof ArrayBuffer
    ? new Uint8Array(source)
    : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}

/**
 * @param {InitOptions['wasm'] | Uint8Array} source
 * @returns {Promise<WebAssembly.Module>}
 */
async function compileSource(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const bytes = bytesOf(source);
    checkMagic(bytes, 'the bytes passed to init()');
    return compile(bytes, 'the bytes passed to init()');
  }
  if (typeof source === 'string' || source instanceof URL) {
    return compileUrl(new URL(source, baseUrl()));
  }
  throw new TypeError(`qdq-wasm: init({ wasm }) takes a URL, a string, bytes or a WebAssembly.Module, got ${describe(source)}`);
}

/**
 * The package's own copy of a build: embedded bytes, or the URL the entry point located.
 * @param {'simd128' | 'relaxed' | 'simd128-mt' | 'relaxed-mt'} build
 */
function defaultSource(build) {
  if (embedded === null && locate === null) {
    throw new Error(`qdq-wasm: no .wasm source registered (import 'qdq-wasm' or 'qdq-wasm/inline'); ${FIX}`);
  }
  // The embedded bytes win, but they lack the shared-memory builds: with both
  // entries loaded (an app on 'qdq-wasm', a dependency on 'qdq-wasm/inline'),
  // those come from dist/, or the app's init({ numThreads }) would run on one thread.
  const bytes = embedded?.(build) ?? null;
  if (bytes !== null || locate === null) return bytes;
  try {
    return locate(build);
  } catch (err) {
    if (embedded !== null) return null; // a shared-memory build dist/ cannot give: one thread, as with inline alone
    // new URL(..., import.meta.url) throws where import.meta.url is empty: a classic script or IIFE bundle.
    throw new Error(`qdq-wasm: cannot locate dist/qdq-${build}.wasm (${/** @type {Error} */ (err).message}: a classic script or an IIFE bundle has no import.meta.url). To fix: ${FIX}`);
  }
}

/**
 * @typedef {object} InitOptions
 * @property {'simd128' | 'relaxed'} [build] which build to load (default: the best this engine runs correctly)
 * @property {string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module} [wasm] where to load it from instead
 *   of the package's own copy (a shared-memory build, dist/qdq-*-mt.wasm, runs threaded; any other on one thread)
 * @property {number} [numThreads] threads for large calls, this one included (default: the cores, at most 8;
 *   1: no pool, the single-threaded build). More than 1 needs shared memory: Node, or a cross-origin
 *   isolated page; elsewhere the library runs on one thread and init() says why. More than MAX_THREADS
 *   (64, what the pool's control block holds) runs on 64, and threadsNote says so.
 * @property {string | URL} [workerUrl] where the pool's worker script is (default: js/runtime/worker.js
 *   next to this file), for bundlers that move it
 */

/**
 * @typedef {object} InitResult
 * @property {'simd128' | 'relaxed'} build the build instantiated
 * @property {number} threads threads large calls run on (1: no pool)
 * @property {string | null} threadsNote why there are fewer threads than asked for (a worker that
 *   died after the pool started included: Pool#lost), or null
 */

/**
 * Whether a later init()'s `wasm` names the first one's source: the same object, or
 * URLs (strings or URL objects) that resolve to the same address, as two
 * modules of an app that each compute new URL('…/qdq-simd128.wasm', import.meta.url) give.
 * @param {unknown} later @param {unknown} first
 */
function sameSource(later, first) {
  if (later === first) return true;
  const isUrl = (/** @type {unknown} */ v) => typeof v === 'string' || v instanceof URL;
  if (!isUrl(later) || !isUrl(first)) return false;
  try {
    return new URL(/** @type {string | URL} */ (later), baseUrl()).href === new URL(/** @type {string | URL} */ (first), baseUrl()).href;
  } catch {
    return false;
  }
}

/**
 * Refuses a later init()/initSync() that asks for something other than what is loaded:
 * a running module cannot change builds (layers and packed matrices live in its memory).
 * @param {Runtime} loaded @param {InitOptions} options @param {string} fn
 */
function checkSame(loaded, options, fn) {
  if (options.build != null && options.build !== loaded.build) {
    throw new Error(
      `qdq-wasm: already initialized with the '${loaded.build}' build; ${fn}({ build: '${options.build}' }) cannot switch ` +
        'a running module (layers and packed matrices live in its memory). Ask for the build you want in the first call.',
    );
  }
  if (options.wasm != null && !sameSource(options.wasm, firstWasm)) {
    throw new Error(`qdq-wasm: already initialized; ${fn}() was given a different wasm source than the first call, and a running module cannot be replaced`);
  }
}

/**
 * Loads and instantiates qdq-wasm, with a pool of threads where shared memory
 * allows. Later calls return the first call's result when they ask for nothing
 * different, and reject when they ask for another build or wasm source. A
 * failed load can be retried. Bad options reject with a TypeError or
 * RangeError naming them, as everywhere else.
 * @param {InitOptions} [opts]
 * @returns {Promise<InitResult>}
 * @example
 * import { init, quantizePerTensor } from 'qdq-wasm';
 * await init();
 */
export function init(opts) {
  /** @type {InitOptions} */
  let options;
  try {
    options = initOptions('init', opts, INIT_KEYS);
  } catch (err) {
    return Promise.reject(err);
  }
  if (pending !== null) {
    return pending.then((loaded) => {
      checkSame(loaded, options, 'init');
      const r = result();
      // The first call fixed the pool: say so when this one asks for another size.
      if (options.numThreads != null && Math.min(options.numThreads, MAX_THREADS) !== r.threads && r.threadsNote === null) {
        r.threadsNote = `qdq-wasm: already initialized with ${r.threads} thread${r.threads === 1 ? '' : 's'}` +
          (stopped ? ' (shutdownThreads() ended the pool, which does not restart)' : '') +
          `; numThreads ${options.numThreads} in a later init() does not change that`;
      }
      return r;
    });
  }
  firstWasm = options.wasm ?? undefined;
  pending = (async () => {
    // Given bytes or a URL, the module itself says which build it is (instantiate checks any claim).
    // A claimed 'relaxed' that this engine cannot run is refused by name, for given bytes too.
    const build = options.wasm == null ? runnable(options.build ?? undefined) ?? bestBuild() : runnable(options.build ?? undefined);
    const requested = options.numThreads ?? Math.min(await coreCount(), DEFAULT_MAX_THREADS);
    const asked = Math.min(requested, MAX_THREADS);
    const capped = requested > MAX_THREADS ? `numThreads ${requested} is more than a pool runs (${MAX_THREADS})` : null;
    threadsNote = null;
    const shared = sharedMemoryAvailable();
    if (asked > 1 && !shared) {
      threadsNote = 'qdq-wasm: shared memory is not available (a browser page needs to be cross-origin isolated: ' +
        'COOP same-origin and COEP require-corp); running on one thread';
    }
    let source = options.wasm ?? undefined;
    /** @type {WebAssembly.Module | null} */
    let module = null;
    if (source === undefined) {
      const b = /** @type {'simd128' | 'relaxed'} */ (build);
      const mt = asked > 1 && shared ? defaultSource(`${b}-mt`) : null;
      if (mt != null) {
        try {
          module = await compileSource(mt);
        } catch (err) {
          // A package copied without its -mt builds still runs, on one thread.
          threadsNote = `qdq-wasm: the shared-memory build did not load (${/** @type {Error} */ (err).message.replace(/^qdq-wasm: /, '')}); running on one thread`;
        }
      }
      if (module === null) source = defaultSource(b);
    }
    module ??= await compileSource(/** @type {any} */ (source));
    if (!importsMemory(module)) {
      if (asked > 1 && shared && threadsNote === null) {
        threadsNote = options.wasm == null
          ? 'qdq-wasm: this entry point has no shared-memory build (qdq-wasm/inline embeds the single-threaded ones); running on one thread'
          : 'qdq-wasm: the module passed as `wasm` is not a shared-memory build (dist/qdq-*-mt.wasm); running on one thread';
      }
      runtime = instantiate(module, build);
      threadsNote = withCap(threadsNote, capped);
      return runtime;
    }
    /** @type {WebAssembly.Memory} */
    let sharedMemory;
    try {
      sharedMemory = newSharedMemory();
    } catch (err) {
      // A browser may refuse shared memory of this maximum (mobile Safari has, under memory pressure) where
      // the single-threaded build's memory fits: run on one thread, as without shared memory. A module the
      // caller passed as `wasm` has no single-threaded twin to fall back to.
      if (options.wasm != null) throw err;
      threadsNote = withCap(`qdq-wasm: shared memory could not be allocated (${/** @type {Error} */ (err).message}); running on one thread`, capped);
      runtime = instantiate(await compileSource(defaultSource(/** @type {'simd128' | 'relaxed'} */ (build))), build);
      return runtime;
    }
    /** @type {Pool | null} */
    let p = null;
    const rt = instantiateShared(module, build, () => p, sharedMemory);
    const memory = /** @type {WebAssembly.Memory} */ (rt.memory);
    const created = new Pool({ exports: rt.exports, memory }, rt.malloc(CONTROL.words * 4, 'the thread pool'));
    await created.start(module, asked, { malloc: (bytes) => rt.malloc(bytes, 'a worker stack'), free: (ptr) => rt.exports.free(ptr) },
      { workerUrl: options.workerUrl });
    if (created.error !== null) threadsNote = created.error;
    threadsNote = withCap(threadsNote, capped);
    p = created;
    pool = created;
    rt.pool = created;
    runtime = rt;
    if (stopped && created.size > 1) {
      created.dispose(); // shutdownThreads() came while this init() was loading
      threadsNote = 'qdq-wasm: shutdownThreads() was called while init() was loading; running on one thread';
    }
    return runtime;
  })();
  pending.catch(() => {
    pending = null;
    stopped = false;
  });
  return pending.then(() => result());
}

/**
 * Instantiates a shared-memory build (dist/qdq-*-mt.wasm) on a new shared
 * memory; its calls run on the pool `pool()` returns, or on this thread
 * while that is null.
 * @param {WebAssembly.Module} module
 * @param {'simd128' | 'relaxed' | undefined} build
 * @param {() => Pool | null} pool
 * @param {WebAssembly.Memory} [memory] a new shared memory (newSharedMemory())
 */
function instantiateShared(module, build, pool, memory = newSharedMemory()) {
  const rt = instantiate(module, build, {
    memory,
    qdq_host_tasks: (/** @type {number} */ work, /** @type {number} */ units, /** @type {number} */ split) => pool()?.tasks(work, units, split) ?? 1,
    qdq_host_parallelize: (/** @type {number} */ fn, /** @type {number} */ ctx, /** @type {number} */ tasks,
      /** @type {number} */ threads, /** @type {number} */ marks, /** @type {number} */ marksCount) => {
      const p = pool();
      if (p !== null) return p.parallelize(fn, ctx, tasks, threads, marks, marksCount);
      // Without a pool qdq_host_tasks answers 1 and the C side runs regions
      // itself; were one asked for anyway, it runs here, in order.
      for (let t = 0; t < tasks; t++) rt.exports.qdq_parallel_run(fn, ctx, t, 0);
    },
    qdq_host_parallelize_input: (/** @type {number} */ fn, /** @type {number} */ ctx, /** @type {number} */ tasks,
      /** @type {number} */ threads, /** @type {number} */ marks, /** @type {number} */ marksCount) => {
      const p = pool();
      if (p === null) throw new Error('qdq-wasm: an operator streamed its input without a thread pool');
      p.parallelizeInput(fn, ctx, tasks, threads, marks, marksCount);
    },
  });
  return rt;
}

/**
 * The shared memory the -mt builds import (64 pages, at most 2 GiB as the other builds).
 * @returns {WebAssembly.Memory}
 */
function newSharedMemory() {
  if (!sharedMemoryAvailable()) {
    throw new Error('qdq-wasm: this is a shared-memory build (qdq-*-mt.wasm), and shared memory is not available here');
  }
  return new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAXIMUM_PAGES, shared: true });
}

/**
 * threadsNote with the cap of numThreads said first, when there was one.
 * @param {string | null} note why fewer threads run, or null @param {string | null} cap
 */
function withCap(note, cap) {
  if (cap === null) return note;
  return note === null ? `qdq-wasm: ${cap}; running on ${MAX_THREADS}` : `qdq-wasm: ${cap}, and ${note.replace(/^qdq-wasm: /, '')}`;
}

/** @returns {InitResult} */
function result() {
  return { build: backend(), threads: threads(), threadsNote: pool?.lostNote ?? threadsNote };
}

/** @param {WebAssembly.Module} module */
function importsMemory(module) {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/**
 * Threads that large calls run on, this one included: 1 without a pool, or
 * once a worker of the pool died (Pool#lost).
 * @returns {number}
 */
export function threads() {
  getRuntime();
  return pool === null ? 1 : pool.size;
}

/**
 * Ends the pool's workers and frees their stacks. The library stays usable on
 * the calling thread; the pool does not restart (a later init() says so), and
 * one that a loading init() starts is ended too. Not needed for a Node
 * process to exit (idle workers are unref'd); call it to free the threads of
 * a page or a long-lived process. Idempotent.
 */
export function shutdownThreads() {
  if (pending !== null) stopped = true; // also a pool that a loading init() has yet to start
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
 * hold the .wasm (Node scripts, workers); with qdq-wasm/inline the bytes are
 * optional. Like init(), a second call must ask for the same thing.
 * @param {ArrayBuffer | ArrayBufferView | WebAssembly.Module} [wasm]
 * @param {{ build?: 'simd128' | 'relaxed' }} [opts]
 */
export function initSync(wasm, opts) {
  const options = initOptions('initSync', opts, INIT_SYNC_KEYS);
  if (runtime !== null) {
    checkSame(runtime, { ...options, wasm }, 'initSync');
    return;
  }
  if (pending !== null) throw new Error('qdq-wasm: initSync() called while init() is still loading');
  let module;
  let build = runnable(options.build ?? undefined);
  if (wasm === undefined && embedded !== null) {
    build ??= bestBuild();
    module = new WebAssembly.Module(/** @type {Uint8Array} */ (embedded(build)));
  } else if (wasm instanceof WebAssembly.Module) {
    module = wasm;
  } else if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) {
    const bytes = bytesOf(wasm);
    checkMagic(bytes, 'the bytes passed to initSync()');
    try {
      module = new WebAssembly.Module(bytes);
    } catch (err) {
      throw compileError(err, 'the bytes passed to initSync()');
    }
  } else {
    throw new TypeError(`qdq-wasm: initSync() takes bytes or a WebAssembly.Module (or nothing, with 'qdq-wasm/inline'), got ${describe(wasm)}`);
  }
  // A shared-memory build runs here on one thread: initSync cannot wait for workers.
  runtime = importsMemory(module) ? instantiateShared(module, build, () => null) : instantiate(module, build);
  firstWasm = wasm;
  pending = Promise.resolve(runtime);
}

/** The build an instance was compiled as, from its own qdq_isa() (src/config.c). */
const ISAS = new Map([[ISA_SIMD128, 'simd128'], [ISA_RELAXED_SIMD, 'relaxed']]);

/**
 * @param {WebAssembly.Module} module
 * @param {'simd128' | 'relaxed' | undefined} claimed the build the caller asked for, if any
 * @param {Record<string, any>} [env] a shared-memory build's memory and thread hooks
 */
function instantiate(module, claimed, env) {
  const instance = instantiateModule(module, env);
  const isa = typeof instance.exports.qdq_isa === 'function' ? /** @type {() => number} */ (instance.exports.qdq_isa)() : -1;
  const build = /** @type {'simd128' | 'relaxed' | undefined} */ (ISAS.get(isa));
  if (build === undefined) throw new Error('qdq-wasm: the module is not a qdq-wasm build (qdq_isa() names neither build)');
  if (claimed !== undefined && claimed !== build) {
    throw new RangeError(`qdq-wasm: build '${claimed}' was asked for, but the wasm given is the '${build}' build`);
  }
  return new Runtime(instance, build, env?.memory);
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
 * Which build is running: 'simd128' or 'relaxed', read from the instantiated module.
 * @returns {'simd128' | 'relaxed'}
 */
export function backend() {
  return /** @type {'simd128' | 'relaxed'} */ (getRuntime().build);
}
