// The binding: the one module that touches wasm memory. API modules describe
// what goes in and out of a C operator; this module sizes, allocates, copies
// and frees. No pointer, view of wasm memory or malloc/free leaves it:
//   call(rt, specs, body)  typed arrays in, one or more operator calls, typed arrays out
//   stream(rt, n, inputs, outputs, body)
//                          a tensor streamed through the runtime's staging buffers in chunks
//                          (or, split on several threads, in windows of call())
//   WasmBuffer             a persistent allocation (packed weights) with dispose()
// Every byte count is computed here as a safe integer and refused above what
// the module can address (MAX_BUFFER_BYTES) with a RangeError naming the
// argument, before anything is allocated. A caller's typed array is sized and
// copied only through its internal slots (the intrinsic getters of validate.js,
// %TypedArray%.prototype.set, a view of memory chosen by its kind), never its
// own length, byteLength, buffer, subarray, set or constructor, which a
// subclass, an own property or a Proxy could make lie: a region holds exactly
// the bytes written into it, and no view of wasm memory reaches user code.

import { EXTRA_BYTES, INPUT_BLOCK_BYTES, MAX_BUFFER_BYTES } from './abi.js';
import { copyPart } from './pool.js';
import { byteLengthOf, bytesOf, bufferOf, byteOffsetOf, describe, lengthOf, typedArrayKind } from './validate.js';

/** Byte alignment of every region: the widest element (float64) and a v128 load. */
const ALIGN = 16;
/** Staging slots of the runtime: two for inputs, two for outputs of a streamed operator. */
const STAGING_SLOTS = 4;
/** call() regions that fit here (a few scalars, up to ~250 channels of parameters) need no malloc. */
const SCRATCH_BYTES = 4096;

/** @param {number} x */
const align = (x) => Math.ceil(x / ALIGN) * ALIGN;
/**
 * Outputs from this size on, marked progressive, are copied out part by part
 * while a pool runs the operator (Pool#parallelize); smaller ones are not
 * worth the bookkeeping.
 */
const PROGRESSIVE_MIN_BYTES = 64 * 1024;
/**
 * Streamed inputs of at least this many bytes (two blocks) are left for the
 * pool to write during the operator's first region; below it there is
 * nothing to overlap.
 */
const STREAMED_MIN_BYTES = 2 * INPUT_BLOCK_BYTES;
/**
 * Elements per window of a windowed stream() (an elementwise operator on
 * several threads): 4 MiB of float, few enough that its wasm memory is
 * reused call after call, many enough (64 input blocks) that a region's
 * start and end cost little beside it.
 */
const WINDOW_ELEMENTS = 1 << 20;
/** Element types copied with one typed set() (others go byte by byte), looked up by kind. */
const VIEW_TYPES = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
/** The same by name: the output kinds a window can view at an offset. */
const VIEW_TYPE_BY_NAME = new Map(VIEW_TYPES.map((T) => [T.name, T]));
/** Bytes per element of each typed array kind, read from the kind (the internal slot), not the array. */
const ELEMENT_BYTES = new Map([['Uint8ClampedArray', 1], ['Float16Array', 2], ['BigInt64Array', 8], ['BigUint64Array', 8],
  ...VIEW_TYPES.map((T) => /** @type {[string, number]} */ ([T.name, T.BYTES_PER_ELEMENT]))]);
/** %TypedArray%.prototype.set: copies by the source's internal slots, whatever the target's own `set` says. */
const SET = /** @type {(this: ArrayBufferView, src: ArrayBufferView, offset?: number) => void} */ (
  Object.getPrototypeOf(Int8Array.prototype).set);

/**
 * The kind of a typed array the binding was handed; anything else (a Proxy
 * of one included) is refused here too, whatever validation came before.
 * @param {ArrayBufferView} a @returns {string}
 */
function kindOf(a) {
  const kind = typedArrayKind(a);
  if (kind === undefined) throw new TypeError(`qdq-wasm: internal: ${describe(a)} is not a typed array`);
  return kind;
}

/** @param {ArrayBufferView} a a typed array @returns {number} its element size */
export const elementBytes = (a) => /** @type {number} */ (ELEMENT_BYTES.get(kindOf(a)));

/**
 * A loaded module instance: its exports, fresh views of its memory, and the
 * staging buffers that streamed operators share. Memory grows only inside
 * wasm calls (malloc, or an operator's workspace), so the views are refreshed
 * after those and nowhere else.
 */
export class Runtime {
  /**
   * @param {WebAssembly.Instance} instance
   * @param {'simd128' | 'relaxed'} build
   * @param {WebAssembly.Memory} [memory] the imported (shared) memory of a -mt build
   */
  constructor(instance, build, memory) {
    /** @type {Record<string, any>} @internal */
    this.exports = instance.exports;
    /** @type {WebAssembly.Memory} @internal */
    this.memory = memory ?? this.exports.memory;
    /** The build that was instantiated. */
    this.build = build;
    /** Elements per staging chunk. @internal */
    this.chunk = this.exports.qdq_staging_elements();
    /** @type {ArrayBuffer | null} */
    this.viewsOf = null;
    this.refresh();
    // Allocated once and never freed: repeated calls reuse them, so memory
    // does not grow with use. Each holds a chunk of float32 plus the kernels'
    // over-read.
    const slot = align(this.chunk * 4 + EXTRA_BYTES);
    const base = this.malloc(slot * STAGING_SLOTS, 'staging');
    /** Staging slots: two for a streamed operator's inputs, two for its outputs. @internal */
    this.slots = { in: [base, base + slot], out: [base + 2 * slot, base + 3 * slot] };
    /** The region call() uses for small calls, and whether a call is using it. @internal */
    this.scratch = this.malloc(SCRATCH_BYTES, 'scratch');
    this.scratchInUse = false;
    /** The thread pool of a shared-memory build, once it runs. @type {import('./pool.js').Pool | null} @internal */
    this.pool = null;
  }

  /** Re-creates the views when memory.grow detached the old buffer. @internal */
  refresh() {
    const buffer = this.memory.buffer;
    if (buffer === this.viewsOf) return;
    this.viewsOf = buffer;
    this.u8 = new Uint8Array(buffer);
    /** Views of memory by element kind (by name: arrays of any realm). @type {Map<string, any>} */
    this.views = new Map(VIEW_TYPES.map((T) => [T.name, new T(buffer)]));
  }

  /**
   * The view of memory of a's kind, when ptr is aligned for it.
   * @param {ArrayBufferView} a @param {number} ptr @returns {any}
   */
  viewFor(a, ptr) {
    const v = /** @type {Map<string, any>} */ (this.views).get(kindOf(a));
    return v !== undefined && ptr % v.BYTES_PER_ELEMENT === 0 ? v : undefined;
  }

  /**
   * malloc that throws instead of returning 0.
   * @param {number} bytes at most MAX_BUFFER_BYTES (checked by the caller)
   * @param {string | (() => string)} what for the error message
   * @internal
   */
  malloc(bytes, what) {
    const ptr = this.exports.malloc(Math.max(bytes, 1));
    this.refresh();
    if (ptr === 0) {
      throw new RangeError(`qdq-wasm: out of WebAssembly memory allocating ${bytes} bytes for ${typeof what === 'function' ? what() : what}`);
    }
    return ptr;
  }

  /**
   * Copies a typed array's bytes into wasm memory at ptr: all of them, as
   * its internal slots say (a typed set() from a view of its kind, which
   * does not make V8 give a small array a buffer; else its bytesOf).
   * @param {ArrayBufferView} a @param {number} ptr @internal
   */
  write(a, ptr) {
    const v = this.viewFor(a, ptr);
    if (v !== undefined) v.set(a, ptr / v.BYTES_PER_ELEMENT);
    else /** @type {Uint8Array} */ (this.u8).set(bytesOf(a), ptr);
  }

  /**
   * A new Type array of `length` elements copied from wasm memory at ptr
   * (aligned to Type). Constructing from a view skips the zero fill that
   * new Type(length) does before a set() would overwrite it: 1 MiB out of
   * shared memory took 0.19 ms this way against 0.50 ms in an idle process
   * (bench/probes/copy-out.js). After a large call the new array's memory
   * is cold and the copy costs more (docs/threads.md T3).
   * @template {TypedArrayConstructor} T
   * @param {number} ptr @param {T} Type @param {number} length
   * @returns {InstanceType<T>} @internal
   */
  copyOut(ptr, Type, length) {
    return /** @type {any} */ (new Type(/** @type {any} */ (new Type(/** @type {Uint8Array} */ (this.u8).buffer, ptr, length))));
  }

  /**
   * Copies from wasm memory at ptr into a typed array (all of it from offset, or `elements` elements),
   * within the array's real extent (a RangeError otherwise).
   * @param {number} ptr @param {ArrayBufferView} a @param {number} [offset] element offset in a
   * @param {number} [elements] @internal
   */
  read(ptr, a, offset = 0, elements) {
    const length = lengthOf(a);
    const n = elements ?? length - offset;
    if (!(offset >= 0 && n >= 0 && offset + n <= length)) {
      throw new RangeError(`qdq-wasm: internal: reading ${n} elements at ${offset} into a ${typedArrayKind(a)} of ${length}`);
    }
    const v = this.viewFor(a, ptr);
    if (v !== undefined) {
      const at = ptr / v.BYTES_PER_ELEMENT;
      SET.call(a, v.subarray(at, at + n), offset);
    } else {
      const size = elementBytes(a);
      bytesOf(a, offset * size, (offset + n) * size).set(/** @type {Uint8Array} */ (this.u8).subarray(ptr, ptr + n * size));
    }
  }
}

/**
 * Bytes of `length` elements of `bytesPerElement`, as a safe integer that a
 * wasm32 buffer (with the kernels' over-read) can hold; a RangeError naming
 * the argument otherwise.
 * @param {string} name what the buffer holds, e.g. "y (m * n int32)"
 * @param {number} length @param {number} bytesPerElement
 * @returns {number}
 */
export function byteCount(name, length, bytesPerElement) {
  const bytes = length * bytesPerElement;
  if (!Number.isSafeInteger(bytes) || bytes + EXTRA_BYTES > MAX_BUFFER_BYTES) {
    throw new RangeError(`qdq-wasm: ${name}: ${bytes} bytes needed, more than a wasm32 module can address ` +
      `(${MAX_BUFFER_BYTES}); split the work into smaller calls`);
  }
  return bytes;
}

/**
 * @typedef {{ kind: 'in' | 'inout', name: string, array: ArrayBufferView, streamed?: boolean }
 *   | { kind: 'out', name: string, Type: TypedArrayConstructor, length: number, into?: ArrayBufferView,
 *       progressive?: boolean }
 *   | { kind: 'scratch', name: string, bytes: number }
 *   | { kind: 'owned', name: string, buffer: WasmBuffer }} Spec
 * @typedef {Int8ArrayConstructor | Uint8ArrayConstructor | Int32ArrayConstructor | Float32ArrayConstructor
 *   | Float64ArrayConstructor} TypedArrayConstructor
 */

/**
 * An input: the array's bytes are copied in. `streamed`: the operator can
 * take it unwritten and have the pool write it during its first region
 * (QDQ_FLAG_INPUT_STREAMED, Pool#parallelizeInput); call() decides, and
 * tells body which inputs it left unwritten.
 * @param {string} name @param {ArrayBufferView} array @param {boolean} [streamed] @returns {Spec}
 */
export const input = (name, array, streamed = false) => ({ kind: 'in', name, array, streamed });
/** Copied in, and the operator's result copied back into the same array. @param {string} name @param {ArrayBufferView} array @returns {Spec} */
export const inout = (name, array) => ({ kind: 'inout', name, array });
/**
 * An output: a new Type(length) holding what the operator wrote, or `into` when given.
 * `progressive`: the operator marks which parts of it are final as its
 * parallel region runs (qdq_parallelize_marked), so the calling thread may
 * copy them out meanwhile.
 * @param {string} name @param {TypedArrayConstructor} Type @param {number} length @param {ArrayBufferView} [into]
 * @param {boolean} [progressive]
 * @returns {Spec}
 */
export const output = (name, Type, length, into, progressive = false) => ({ kind: 'out', name, Type, length, into, progressive });
/** Working memory for the call, neither copied in nor out. @param {string} name @param {number} bytes @returns {Spec} */
export const scratch = (name, bytes) => ({ kind: 'scratch', name, bytes });
/** A persistent allocation (packed weights), passed by pointer. @param {string} name @param {WasmBuffer} buffer @returns {Spec} */
export const owned = (name, buffer) => ({ kind: 'owned', name, buffer });

/**
 * Runs body with every spec in wasm memory and returns the outputs, copied out:
 * sizes are checked first, then one allocation holds every input, output and
 * scratch region (each padded by EXTRA_BYTES), and it is freed before
 * returning, whatever body does. body gets each spec's pointer by name, the
 * module's exports, and the names of the streamed inputs call() left
 * unwritten for the pool to write (a large input with threads to overlap);
 * it returns the operators' status.
 * @param {Runtime} rt
 * @param {Spec[]} specs
 * @param {(p: Record<string, number>, c: Record<string, (...args: number[]) => number>, unwritten: Set<string>) => number | void} body
 * @returns {Record<string, any> & { status: number }}
 */
export function call(rt, specs, body) {
  let total = 0;
  const offsets = new Array(specs.length);
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    offsets[i] = total;
    if (s.kind === 'owned') {
      s.buffer.pointer(rt);
      continue;
    }
    const bytes = s.kind === 'in' || s.kind === 'inout' ? byteCount(s.name, byteLengthOf(s.array), 1)
      : s.kind === 'out' ? byteCount(s.name, s.length, s.Type.BYTES_PER_ELEMENT)
        : byteCount(s.name, s.bytes, 1);
    total += align(bytes + EXTRA_BYTES);
  }
  const names = () => specs.map((s) => s.name).join(', ');
  if (total > MAX_BUFFER_BYTES) {
    throw new RangeError(`qdq-wasm: ${names()}: ${total} bytes needed together, more than ` +
      `a wasm32 module can address (${MAX_BUFFER_BYTES}); split the work into smaller calls`);
  }
  // Small calls (scalar parameters, per-channel scales) use the runtime's
  // scratch region instead of malloc; a nested call() finds it taken and mallocs.
  rt.refresh();
  const scratch = total !== 0 && total <= SCRATCH_BYTES && !rt.scratchInUse;
  const base = total === 0 ? 0 : scratch ? rt.scratch : rt.malloc(total, names);
  if (scratch) rt.scratchInUse = true;
  const pool = rt.pool;
  if (pool !== null) pool.calls++;
  /** @type {import('./pool.js').ProgressiveOutput | null} */
  let progressive = null;
  /** @type {Set<string>} */
  const unwritten = new Set();
  const sp = rt.exports.stackSave();
  try {
    /** @type {Record<string, number>} */
    const p = {};
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i];
      const ptr = s.kind === 'owned' ? s.buffer.pointer(rt) : base + offsets[i];
      p[s.name] = ptr;
      if (s.kind === 'in' && s.streamed && pool !== null && pool.streamInputs && pool.threads() > 1 &&
        byteLengthOf(s.array) >= STREAMED_MIN_BYTES && (unwritten.size === 0 || pool.in?.bytes === byteLengthOf(s.array))) {
        // Streamed inputs of one call have the same length: the region's task t reads block t of each.
        const src = bytesOf(s.array);
        if (pool.in === null || unwritten.size === 0) pool.in = { parts: [], bytes: src.length };
        pool.in.parts.push({ src, ptr });
        unwritten.add(s.name);
      } else if (s.kind === 'in' || s.kind === 'inout') rt.write(s.array, ptr);
      else if (s.kind === 'out' && s.progressive && progressive === null && pool !== null && pool.copyDuring && pool.threads() > 1 &&
        s.length * s.Type.BYTES_PER_ELEMENT >= PROGRESSIVE_MIN_BYTES) {
        progressive = { ptr, bytes: s.length * s.Type.BYTES_PER_ELEMENT, Type: s.Type, length: s.length,
          array: s.into ?? null, done: 0, name: s.name };
      }
    }
    if (progressive !== null) /** @type {import('./pool.js').Pool} */ (pool).out = progressive;
    /** @type {Record<string, any> & { status: number }} */
    const result = { status: body(p, rt.exports, unwritten) ?? 0 };
    if (pool !== null && pool.deferred !== null) throw pool.takeDeferred();
    rt.refresh(); // the operators may have grown memory (their workspaces)
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i];
      if (s.kind === 'inout') {
        rt.read(p[s.name], /** @type {any} */ (s.array));
      } else if (s.kind === 'out') {
        let out = s.into;
        if (progressive !== null && progressive.name === s.name && progressive.done > 0) {
          // Parts were copied during the operator's region: copy the rest.
          copyPart(progressive, rt.memory, progressive.bytes);
          out = /** @type {any} */ (progressive.array);
        } else if (out === undefined) out = rt.copyOut(p[s.name], s.Type, s.length);
        else rt.read(p[s.name], /** @type {any} */ (out), 0, s.length);
        result[s.name] = out;
      }
    }
    return result;
  } catch (err) {
    // An exception that unwound wasm frames (a trap) skipped their epilogues.
    rt.exports.stackRestore(sp);
    pool?.takeDeferred();
    throw err;
  } finally {
    if (progressive !== null) /** @type {import('./pool.js').Pool} */ (pool).out = null;
    // An operator that failed before its first region never wrote the input.
    if (unwritten.size !== 0) /** @type {import('./pool.js').Pool} */ (pool).in = null;
    if (scratch) rt.scratchInUse = false;
    else if (base !== 0) rt.exports.free(base);
  }
}

/**
 * Whether two views share any byte of memory.
 * @param {ArrayBufferView} a @param {ArrayBufferView} b
 */
export function overlaps(a, b) {
  const al = byteLengthOf(a), bl = byteLengthOf(b);
  if (al === 0 || bl === 0) return false;
  const ao = byteOffsetOf(a), bo = byteOffsetOf(b);
  return ao < bo + bl && bo < ao + al && bufferOf(a) === bufferOf(b);
}

/**
 * Streams n elements through the runtime's staging buffers, one chunk at a
 * time: the inputs' elements [off, off + len) are copied into input slots,
 * body runs the operator on the slots, and the output slots are copied into
 * the outputs at off. An input that shares memory with an output is copied
 * first, so writing one chunk's results cannot change the next chunk's
 * inputs: aliasing gives the same result as separate arrays.
 * Every input and output must hold at least n elements (a RangeError
 * otherwise), and at most a staging chunk of 4-byte elements is copied into
 * a slot at a time.
 * With `windowWork` (an elementwise operator or a reduction: inputs of one
 * element size, results in order; its cost per element, copies included) and
 * a pool that splits a call of that much work (Pool#splitsStream), the tensor
 * goes instead in windows of up to WINDOW_ELEMENTS through call(): the inputs
 * streamed and the first output progressive, so the operator's one region
 * per window has this thread write the window in, and copy its results out,
 * while the workers compute (docs/threads.md T5); body then gets `streamed`
 * true when the window's inputs are left for the operator to stream
 * (QDQ_FLAG_INPUT_STREAMED).
 * @param {Runtime} rt
 * @param {number} n elements
 * @param {ArrayBufferView[]} inputs at most 2
 * @param {ArrayBufferView[]} outputs at most 2
 * @param {(slots: { in: number[], out: number[] }, off: number, len: number, c: Record<string, (...args: number[]) => number>,
 *   streamed: boolean) => void} body
 * @param {number} [windowWork] multiply-adds per element (0: staging chunks only)
 * @param {number} [asleepScale] how much more work windows need while the workers sleep (Pool#splitsStream;
 *   Infinity: windows only while they poll)
 */
export function stream(rt, n, inputs, outputs, body, windowWork = 0, asleepScale = 1) {
  if (n === 0) return;
  for (const list of [inputs, outputs]) {
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if (lengthOf(a) < n || elementBytes(a) > 4) {
        throw new RangeError(`qdq-wasm: internal: streaming ${n} elements through a ${typedArrayKind(a)} of ${lengthOf(a)}`);
      }
    }
  }
  const pool = rt.pool;
  const inBytes = windowWork > 0 && inputs.every((x) => elementBytes(x) === elementBytes(inputs[0])) ? n * elementBytes(inputs[0]) : 0;
  if (inBytes >= STREAMED_MIN_BYTES && pool !== null && pool.streamInputs &&
    pool.splitsStream(n * windowWork, Math.ceil(inBytes / INPUT_BLOCK_BYTES), asleepScale) &&
    outputs.every((y) => VIEW_TYPE_BY_NAME.has(kindOf(y)) && !inputs.some((x) => overlaps(x, y)))) {
    streamWindows(rt, n, inputs, outputs, body);
    return;
  }
  // A call that windows would not split gains nothing from splitting its chunks, whose copies
  // nothing overlaps: it stays on this thread (error statistics on a 2-vCPU AMD EPYC VM, 256 Ki to
  // 1 Mi elements after a 3 ms timer, chunks split: 0.54-0.63x one thread; docs/threads.md T5).
  if (windowWork > 0 && pool !== null && pool.limit !== 1) {
    const limit = pool.limit;
    pool.limit = 1;
    try {
      stream(rt, n, inputs, outputs, body);
    } finally {
      pool.limit = limit;
    }
    return;
  }
  // An input that shares memory with an output is copied first (its bytes).
  const copies = inputs.map((x) => (outputs.some((y) => overlaps(x, y)) ? bytesOf(x).slice() : null));
  const sizes = inputs.map(elementBytes);
  const slots = rt.slots;
  rt.refresh();
  for (let off = 0; off < n; off += rt.chunk) {
    const len = Math.min(rt.chunk, n - off);
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i], copy = copies[i], size = sizes[i];
      if (copy !== null) /** @type {Uint8Array} */ (rt.u8).set(copy.subarray(off * size, (off + len) * size), slots.in[i]);
      else if (off === 0 && lengthOf(x) === len) rt.write(x, slots.in[i]); // all of it: no buffer needed
      else /** @type {Uint8Array} */ (rt.u8).set(bytesOf(x, off * size, (off + len) * size), slots.in[i]);
    }
    const sp = rt.exports.stackSave();
    try {
      body(slots, off, len, rt.exports);
    } catch (err) {
      rt.exports.stackRestore(sp); // as in call()
      throw err;
    }
    rt.refresh();
    for (let i = 0; i < outputs.length; i++) rt.read(slots.out[i], outputs[i], off, len);
  }
}

/**
 * stream()'s windows: call() per window of the inputs, streamed in (all of
 * them, or none when the window is short), and of each output (views of the
 * outputs at the window, the first progressive).
 * @param {Runtime} rt @param {number} n @param {ArrayBufferView[]} inputs of one element size @param {ArrayBufferView[]} outputs
 * @param {Parameters<typeof stream>[4]} body
 */
function streamWindows(rt, n, inputs, outputs, body) {
  const size = elementBytes(inputs[0]);
  const sources = inputs.map((_, i) => `x${i}`);
  const names = outputs.map((_, i) => `y${i}`);
  for (let off = 0; off < n; off += WINDOW_ELEMENTS) {
    const len = Math.min(WINDOW_ELEMENTS, n - off);
    const specs = inputs.map((x, i) => input(sources[i], bytesOf(x, off * size, (off + len) * size), true));
    for (let i = 0; i < outputs.length; i++) {
      const y = outputs[i];
      const Type = /** @type {any} */ (VIEW_TYPE_BY_NAME.get(kindOf(y)));
      specs.push(output(names[i], Type, len, new Type(bufferOf(y), byteOffsetOf(y) + off * Type.BYTES_PER_ELEMENT, len), true));
    }
    call(rt, specs, (p, c, unwritten) => {
      if (unwritten.size !== 0 && unwritten.size !== inputs.length) {
        throw new Error(`qdq-wasm: internal: a window streams ${unwritten.size} of its ${inputs.length} inputs`);
      }
      body({ in: sources.map((name) => p[name]), out: names.map((name) => p[name]) }, off, len, c, unwritten.size !== 0);
    });
  }
}

/**
 * Frees buffers whose owner was garbage-collected without dispose(): a
 * safety net, not the way to free (collection may come late or never).
 */
const registry = new FinalizationRegistry((/** @type {{ rt: Runtime, ptr: number }} */ held) => {
  held.rt.exports.free(held.ptr);
});

/**
 * Marks this library's objects with their class name, across copies of the
 * library (Symbol.for is shared by every copy in a realm), so that an object
 * of a second copy gets a clear error instead of a confusing one.
 */
export const BRAND = Symbol.for('qdq-wasm.object');

/**
 * Persistent wasm memory owned by a JavaScript object (packed weights). Its
 * pointer is handed only to call() through owned(); after dispose() every use
 * throws.
 */
export class WasmBuffer {
  /**
   * @param {Runtime} rt @param {string} what what it holds, for errors
   * @param {number} bytes checked with byteCount; 0 is how the C size
   *   functions report a count that wrapped size_t, and is refused as too large
   */
  constructor(rt, what, bytes) {
    if (bytes === 0) {
      throw new RangeError(`qdq-wasm: ${what}: more bytes needed than a wasm32 module can address ` +
        `(${MAX_BUFFER_BYTES}); split the work into smaller calls`);
    }
    byteCount(what, bytes, 1);
    /** @private */
    this.rt = rt;
    /** @private */
    this.what = what;
    /** @private */
    this.bytes = bytes;
    /** @private */
    this.ptr = rt.malloc(bytes + EXTRA_BYTES, what);
    /** @type {{ rt: Runtime, ptr: number }} @private */
    this.held = { rt, ptr: this.ptr };
    registry.register(this, this.held, this);
    Object.defineProperty(this, BRAND, { value: 'WasmBuffer' });
  }

  /** Whether dispose() has been called. */
  get disposed() {
    return this.ptr === 0;
  }

  /**
   * The pointer, for call(); throws when disposed or owned by another runtime.
   * @param {Runtime} rt the runtime of the call @returns {number} @internal
   */
  pointer(rt) {
    if (this.ptr === 0) throw new Error(`qdq-wasm: the ${this.what} was disposed; create a new one`);
    if (rt !== this.rt) {
      throw new Error(`qdq-wasm: the ${this.what} belongs to another WebAssembly instance (${this.rt.build}) than ` +
        `this call's (${rt.build}); create it again after init()`);
    }
    return this.ptr;
  }

  /**
   * Copies a typed array's bytes to the start of the buffer.
   * @param {ArrayBufferView} a at most the buffer's size
   */
  set(a) {
    const ptr = this.pointer(this.rt);
    this.rt.refresh();
    const bytes = byteLengthOf(a);
    if (bytes > this.bytes) throw new RangeError(`qdq-wasm: ${bytes} bytes do not fit the ${this.what} (${this.bytes})`);
    this.rt.write(a, ptr);
  }

  /** Frees the memory. Idempotent. */
  dispose() {
    if (this.ptr === 0) return;
    registry.unregister(this);
    this.rt.exports.free(this.ptr);
    this.ptr = 0;
  }
}

/**
 * Describes an object that is not ours for errors: a buffer or layer of a
 * second copy of the library gets a message that says so.
 * @param {unknown} v
 */
export function foreign(v) {
  const kind = typeof v === 'object' && v !== null ? /** @type {any} */ (v)[BRAND] : undefined;
  return typeof kind === 'string'
    ? `a ${kind} from another instance of qdq-wasm (the library is loaded twice); create it with this instance`
    : describe(v);
}
