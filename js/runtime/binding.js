// The binding: the one module that touches wasm memory. API modules describe
// what goes in and out of a C operator; this module sizes, allocates, copies
// and frees. No pointer, view of wasm memory or malloc/free leaves it:
//   call(specs, body)      typed arrays in, one or more operator calls, typed arrays out
//   stream(...)            a tensor streamed through the runtime's staging buffers in chunks
//   WasmBuffer             a persistent allocation (packed weights) with dispose()
// Every byte count is computed here as a safe integer and refused above what
// the module can address (MAX_BUFFER_BYTES) with a RangeError naming the
// argument, before anything is allocated.

import { EXTRA_BYTES, INPUT_BLOCK_BYTES, MAX_BUFFER_BYTES } from './abi.js';
import { copyPart } from './pool.js';
import { describe } from './validate.js';

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
/** Element types copied with one set() (others go byte by byte). */
const VIEW_TYPES = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];

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
    /** Views of memory by element type (by constructor, and by name for arrays of another realm). */
    this.views = new Map();
    for (const T of VIEW_TYPES) {
      const v = new T(buffer);
      this.views.set(T, v).set(T.name, v);
    }
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
   * The view of memory whose type matches a, when ptr is aligned for it.
   * @param {ArrayBufferView & { BYTES_PER_ELEMENT?: number }} a @param {number} ptr
   * @returns {any}
   */
  viewFor(a, ptr) {
    const views = /** @type {Map<unknown, any>} */ (this.views);
    const v = views.get(a.constructor) ?? views.get(a.constructor?.name);
    return v !== undefined && ptr % v.BYTES_PER_ELEMENT === 0 ? v : undefined;
  }

  /**
   * Copies a typed array's bytes into wasm memory at ptr.
   * @param {ArrayBufferView & { BYTES_PER_ELEMENT?: number }} a @param {number} ptr @internal
   */
  write(a, ptr) {
    const v = this.viewFor(a, ptr);
    if (v !== undefined) v.set(a, ptr / v.BYTES_PER_ELEMENT);
    else /** @type {Uint8Array} */ (this.u8).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ptr);
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
   * Copies from wasm memory at ptr into a typed array (all of it from offset, or `elements` elements).
   * @param {number} ptr @param {ArrayBufferView & { BYTES_PER_ELEMENT: number }} a @param {number} [offset] element offset in a
   * @param {number} [elements] @internal
   */
  read(ptr, a, offset = 0, elements) {
    const n = elements ?? (a.byteLength / a.BYTES_PER_ELEMENT - offset);
    const v = this.viewFor(a, ptr);
    if (v !== undefined) {
      const at = ptr / v.BYTES_PER_ELEMENT;
      /** @type {any} */ (a).set(v.subarray(at, at + n), offset);
    } else {
      const bytes = n * a.BYTES_PER_ELEMENT;
      new Uint8Array(a.buffer, a.byteOffset + offset * a.BYTES_PER_ELEMENT, bytes)
        .set(/** @type {Uint8Array} */ (this.u8).subarray(ptr, ptr + bytes));
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
    const bytes = s.kind === 'in' || s.kind === 'inout' ? byteCount(s.name, s.array.byteLength, 1)
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
  /** @type {import('./pool.js').ProgressiveOutput | null} */
  let progressive = null;
  /** @type {Set<string>} */
  const unwritten = new Set();
  try {
    /** @type {Record<string, number>} */
    const p = {};
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i];
      const ptr = s.kind === 'owned' ? s.buffer.pointer(rt) : base + offsets[i];
      p[s.name] = ptr;
      if (s.kind === 'in' && s.streamed && unwritten.size === 0 && pool !== null && pool.streamInputs && pool.threads() > 1 &&
        s.array.byteLength >= STREAMED_MIN_BYTES) {
        pool.in = { src: new Uint8Array(s.array.buffer, s.array.byteOffset, s.array.byteLength), ptr, bytes: s.array.byteLength };
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
  return a.buffer === b.buffer && a.byteLength !== 0 && b.byteLength !== 0 &&
    a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * Streams n elements through the runtime's staging buffers, one chunk at a
 * time: the inputs' elements [off, off + len) are copied into input slots,
 * body runs the operator on the slots, and the output slots are copied into
 * the outputs at off. An input that shares memory with an output is copied
 * first, so writing one chunk's results cannot change the next chunk's
 * inputs: aliasing gives the same result as separate arrays.
 * @param {Runtime} rt
 * @param {number} n elements
 * @param {(ArrayBufferView & { BYTES_PER_ELEMENT: number, subarray(a: number, b: number): any })[]} inputs at most 2
 * @param {(ArrayBufferView & { BYTES_PER_ELEMENT: number })[]} outputs at most 2
 * @param {(slots: { in: number[], out: number[] }, off: number, len: number, c: Record<string, (...args: number[]) => number>) => void} body
 */
export function stream(rt, n, inputs, outputs, body) {
  if (n === 0) return;
  const ins = inputs.slice();
  for (let i = 0; i < ins.length; i++) {
    for (const y of outputs) if (overlaps(ins[i], y)) ins[i] = ins[i].slice();
  }
  const slots = rt.slots;
  rt.refresh();
  for (let off = 0; off < n; off += rt.chunk) {
    const len = Math.min(rt.chunk, n - off);
    for (let i = 0; i < ins.length; i++) {
      const x = ins[i];
      rt.write(off === 0 && len === x.length ? x : x.subarray(off, off + len), slots.in[i]);
    }
    body(slots, off, len, rt.exports);
    rt.refresh();
    for (let i = 0; i < outputs.length; i++) rt.read(slots.out[i], outputs[i], off, len);
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
    if (a.byteLength > this.bytes) throw new RangeError(`qdq-wasm: ${a.byteLength} bytes do not fit the ${this.what} (${this.bytes})`);
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
