// The thread pool of the shared-memory builds. The C operators split their
// work into tasks and, after allocating every workspace on this thread, call
// the imported env.qdq_host_parallelize(fn, ctx, tasks, threads, marks,
// marksCount): threads - 1 workers are woken through Atomics.notify on their
// own word of a control block in wasm memory, and every thread, this one included, takes the next
// task not yet taken (Atomics.add on a counter) until none is left, so a
// worker that wakes late or runs slowed takes fewer tasks instead of holding
// up the call. This thread then waits for the workers (Atomics.wait where the
// engine allows it, a spin on the counter on a browser's main thread, which
// may not block). Workers poll for the next region for SPIN_MICROS, then
// sleep in Atomics.wait: an idle pool does not busy-wait, and nobody polls
// while the workers show that they wait for a CPU (Pool#pace), nor a worker
// after a region it ran alone (worker.js: this thread had no CPU). A region may
// carry marks of which leading tasks make which leading bytes of the output
// final: this thread then copies those bytes out between its tasks
// (Pool#finished tells it which tasks are done).
// docs/threads.md.

import { INPUT_BLOCK_BYTES } from './abi.js';
import { bytesOf } from './validate.js';
import { CLAIM, CONTROL, HOLD, MAX_THREADS, WAKE, pollFor } from './pool-control.js';
import { createWebWorker } from './web-worker.js';

/** Bytes of stack per worker: the kernels use a few hundred; the main instance has 256 KiB. */
const WORKER_STACK = 128 * 1024;
/**
 * Int8 multiply-adds per thread below which a call stays on fewer threads:
 * waking a worker and waiting for it costs tens of microseconds, ~1 M
 * multiply-adds at 50 GOPS (bench/threads.js --threshold; docs/threads.md).
 * The base the three thresholds below scale (setThreadLimit's minWork).
 */
export const MIN_WORK_PER_THREAD = 1 << 20;
/**
 * The same for the streaming operators, whose calling thread copies every
 * element in and out around their regions, so a split saves only part of a
 * call: on a 2-vCPU AMD EPYC VM every split from 2 to 8 blocks of 64 Ki ran
 * 0.62-0.96x one thread but for two cases (bench/threads-elementwise.js
 * --threshold), and lone quantize calls split 0.81-0.97x up to 2 Mi elements.
 * A staging chunk of 256 Ki elements then splits only for the error
 * statistics, 75 units per element (docs/threads.md T4).
 */
export const MIN_WORK_PER_THREAD_STREAMING = 1 << 22;
/**
 * The same for a region of kernels while the workers still poll after a
 * region (the next call of a loop, the next layer of a model): a split then
 * costs no wake-up, and pays from a quarter of the work (docs/threads.md T4).
 */
export const MIN_WORK_PER_THREAD_POLLING = 1 << 18;
/**
 * The same for a region of kernels while the workers sleep (a lone call
 * after a pause): a woken worker starts 35-115 µs late on a 2-vCPU VM and
 * can take the calling thread's core meanwhile, and such calls split from 2
 * to 8 Mi multiply-adds ran 0.72-0.84x one thread there, 1.14x at 16 Mi and
 * 1.71x at 32 Mi (bench/probes/lone-calls.js; docs/threads.md T4).
 */
export const MIN_WORK_PER_THREAD_ASLEEP = 1 << 23;
/**
 * enum qdq_split (src/parallel/parallel.h): a region of kernels alone, which
 * takes MIN_WORK_PER_THREAD_POLLING while the workers poll and
 * MIN_WORK_PER_THREAD_ASLEEP while they sleep; the other kind (the streaming
 * operators and the blockwise preparation: this thread copies every element
 * in or out around the region) takes MIN_WORK_PER_THREAD_STREAMING.
 */
const SPLIT_KERNELS = 0;
/** enum qdq_split QDQ_SPLIT_WINDOW: a window of a streamed call that splitsStream() has split. */
const SPLIT_WINDOW = 2;
/**
 * Work per thread (copies included, js/ops/quantize.js) from which a lone
 * streamed call splits while the workers sleep: the calling thread writes
 * the window in while they wake, and a woken worker can take its core, so a
 * split pays only for calls of a few milliseconds. On the 2-vCPU AMD EPYC VM,
 * after 3 ms busy pauses, quantize split ran 1.14-1.18x one thread at 1 Mi
 * elements, 1.29-1.38x at 2 Mi and 1.39-1.46x at 4 Mi; after 3 ms idle (a
 * timer) 0.36-0.40x, 0.49-0.73x and 1.31-1.44x (bench/probes/stream-windows.js,
 * two runs; docs/threads.md T5). 2^25 on two threads: quantize from ~3 Mi
 * elements, fake-quantize from ~1.5 Mi, dequantize from ~5 Mi.
 */
export const MIN_WORK_PER_THREAD_WINDOWED_ASLEEP = 1 << 25;
/**
 * Microseconds a thread polls before it sleeps: a worker after each region
 * for the next one, the calling thread for the workers at the end of a
 * region. A futex wake-up costs 25-45 µs here, and the next region often
 * follows sooner: the GEMM after its staging, the next call of a loop, the
 * next layer of a model (bench/probes/spin.js: 1-4% per call on two threads,
 * flat from 300 to 1000 µs). onnxruntime's and XNNPACK's pools spin too.
 * Bounded: an idle pool sleeps (docs/threads.md).
 */
export const SPIN_MICROS = 500;
/**
 * Milliseconds without polling once the workers, though polling, took less
 * than half their share of two regions in a row (Pool#pace): they were
 * waiting for a CPU (more runnable threads than cores), and a poller would
 * take the CPU they need (at load 6 polling made two-thread calls up to 2x
 * slower; docs/threads.md T3, T4).
 */
const QUIET_MS = 100;
/** How long init() waits for a worker to instantiate before giving up on the pool. */
const START_TIMEOUT_MS = 15000;

const isNode = () => typeof process !== 'undefined' && process.versions?.node != null;

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock() {
  if (isNode()) return true;
  return typeof window === 'undefined';
}

/** @returns {number} logical cores the engine reports. */
export async function coreCount() {
  if (isNode()) {
    // process.getBuiltinModule, not import('node:os'): bundlers never see it.
    const os = /** @type {typeof import('node:os')} */ (process.getBuiltinModule('node:os'));
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
}

/** Whether shared wasm memory is usable here: Node always, browsers when cross-origin isolated. */
export function sharedMemoryAvailable() {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (isNode()) return true;
  return typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated === true;
}

export class Pool {
  /**
   * @param {{ exports: Record<string, any>, memory: WebAssembly.Memory }} main the main instance
   * @param {number} control pointer to CONTROL.words int32s, zeroed
   */
  constructor(main, control) {
    /** @private */ this.main = main;
    /** @private */ this.c = new Int32Array(main.memory.buffer, control, CONTROL.words);
    this.c.fill(0);
    /** @private performance.now() until which nobody polls */
    this.quietUntil = 0;
    /** @private */ this.spinMax = SPIN_MICROS;
    /** Times polling stopped because the workers were waiting for a CPU, for tests. @internal */
    this.quietSpells = 0;
    /** @private when the last region with helpers ended, and the budget its workers then polled for */
    this.lastEnd = -Infinity;
    /** @private */ this.lastSpin = 0;
    /** @private polled regions in a row in which the workers took less than half their share */
    this.strikes = 0;
    Atomics.store(this.c, CONTROL.spin, SPIN_MICROS);
    /** @type {any[]} @private */ this.workers = [];
    /** Threads, this one included: 1 until start() succeeds. */
    this.size = 1;
    /** At most this many threads per call (tests compare 1..size in one process). @internal */
    this.limit = Infinity;
    /** Parallel regions run with helpers, and the tasks they held, for tests. @internal */
    this.regions = 0;
    /** @internal */
    this.regionTasks = 0;
    /** Workers' parts of regions the calling thread claimed (join()), for tests. @internal */
    this.claims = 0;
    /** Work per thread below which fewer threads are used. @internal */
    this.minWork = MIN_WORK_PER_THREAD;
    /** @type {string | null} why the pool did not start, if it did not */
    this.error = null;
    /** @type {string | null} why a pool that started stopped (a worker died: Pool#lost), or null */
    this.lostNote = null;
    /** @private */ this.spin = !canBlock();
    /** Calls made through call() (binding.js), to tell one call's regions from the next call's. @internal */
    this.calls = 0;
    /** @private when tasks() last saw work worth splitting only while the workers poll, and in which call */
    this.askedAt = -Infinity;
    /** @private */ this.askedCall = -1;
    /** @private worker i's wake word after the current region's bump (CLAIM) */
    this.woken = new Int32Array(MAX_THREADS + 1);
    /**
     * The output a call() copies out while a marked region runs (Pool#parallelize), or null.
     * @type {ProgressiveOutput | null} @internal
     */
    this.out = null;
    /**
     * The input a call() left for the operator's first region to write, or null
     * (Pool#parallelizeInput). @type {StreamedInput | null} @internal
     */
    this.in = null;
    /** Bytes written into wasm memory during regions by parallelizeInput, for tests. @internal */
    this.streamedIn = 0;
    /** Whether call() leaves streamed inputs for the pool to write (bench/probes/stream-in.js compares). @internal */
    this.streamInputs = true;
    /** Whether call() arms progressive outputs (bench/probes/copy-during.js compares). @internal */
    this.copyDuring = true;
    /** Bytes copied out during regions, for tests. @internal */
    this.copiedDuring = 0;
    /**
     * An error this thread met copying out during a region, which call() throws once the
     * operator has returned (Pool#region). @type {unknown} @internal
     */
    this.deferred = null;
    /** The workers' stacks (heap blocks), freed by dispose(). @type {number[]} @private */
    this.stacks = [];
    /** @type {((ptr: number) => void) | null} @private */
    this.free = null;
  }

  /** The deferred error, if any, cleared. @internal @returns {unknown} */
  takeDeferred() {
    const e = this.deferred;
    this.deferred = null;
    return e;
  }

  /**
   * Starts numThreads - 1 workers on the module and memory; resolves when all
   * are ready. On any failure the started workers are stopped, size stays 1
   * and `error` says why: the caller keeps running on one thread.
   * @param {WebAssembly.Module} module
   * @param {number} numThreads
   * @param {{ malloc: (bytes: number) => number, free: (ptr: number) => void }} heap for the workers' stacks
   * @param {{ workerUrl?: string | URL }} [options]
   */
  async start(module, numThreads, heap, options = {}) {
    const n = Math.min(numThreads, MAX_THREADS);
    let url = options.workerUrl ?? null;
    // Node's Worker takes a file: URL only as a URL object (a string must be a path).
    if (typeof url === 'string' && isNode() && url.startsWith('file:')) url = new URL(url);
    const memory = this.main.memory;
    this.free = heap.free;
    try {
      const ready = [];
      for (let i = 1; i < n; i++) {
        const stackBase = heap.malloc(WORKER_STACK);
        this.stacks.push(stackBase);
        const data = { module, memory, control: this.c.byteOffset, index: i,
          stackTop: (stackBase + WORKER_STACK) & ~15, layout: { CONTROL, WAKE, HOLD, CLAIM } };
        ready.push(this.spawn(url, data));
      }
      await Promise.all(ready);
      this.size = n;
    } catch (err) {
      this.error = `qdq-wasm: the thread pool did not start (${/** @type {Error} */ (err).message}); running on one thread`;
      this.dispose();
    }
  }

  /** @private @param {string | URL | null} url null: js/runtime/worker.js @param {object} data @returns {Promise<void>} */
  async spawn(url, data) {
    let worker;
    // Before the worker is ready its failure rejects start(); after, it is a
    // worker lost from a running pool (Pool#lost).
    let ready = false;
    /** @type {(m: any) => void} */
    let onMessage = () => {};
    /** @type {(e: any) => void} */
    let onError = () => {};
    const started = new Promise((resolve, reject) => {
      onMessage = (m) => {
        if (m.ready) {
          ready = true;
          resolve(undefined);
        } else if (m.failed) {
          // A browser's worker outlives the failure of its script: idle, not gone. Node's exits (below).
          if (ready) this.lost(m.failed);
          else reject(new Error(m.failed));
        }
      };
      onError = (e) => (ready ? this.lost(e?.message ?? String(e)) : reject(new Error(e?.message ?? String(e))));
    });
    if (isNode()) {
      const { Worker } = /** @type {typeof import('node:worker_threads')} */ (process.getBuiltinModule('node:worker_threads'));
      // Only the engine's wasm flags: a worker inherits the parent's flags
      // by default, and some (--input-type, --test options) make it fail.
      const execArgv = process.execArgv.filter((a) => /^--(experimental-)?wasm/.test(a));
      worker = new Worker(url ?? new URL('./worker.js', import.meta.url), { workerData: data, execArgv });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', (code) => onError(new Error(ready ? `a worker exited with code ${code}` : `worker exited with code ${code} before it was ready`)));
      worker.unref(); // a sleeping pool never keeps the process alive
    } else {
      worker = createWebWorker(url);
      worker.onmessage = (/** @type {MessageEvent} */ e) => onMessage(e.data);
      worker.onerror = (/** @type {ErrorEvent} */ e) => {
        e.preventDefault();
        onError(new Error(e.message || `cannot load ${url ?? "the pool's worker (js/runtime/worker.js)"}`));
      };
      worker.postMessage(data);
    }
    this.workers.push(worker);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`a worker was not ready after ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([started, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A worker of the running pool died (its thread exited, or its script
   * failed): the pool stops, and calls run on the calling thread from now on
   * (threads() is 1, and init() says why). It runs from the event loop, so
   * never inside a region; a region begun before it ran, with the worker
   * already gone, ends anyway: the calling thread claims the dead worker's
   * part as it claims a late one's (join()). Only a worker that dies in the
   * middle of a task, which the engine alone can make happen, leaves its
   * region waiting (docs/threads.md T3).
   * @private @param {string} why
   */
  lost(why) {
    if (this.workers.length === 0) return; // disposed: the exits of the workers dispose() ends
    this.lostNote = `qdq-wasm: a pool worker stopped (${why.replace(/^(Error: )?qdq-wasm: /, '')}); running on one thread`;
    this.dispose();
  }

  /** Threads a call may use. */
  threads() {
    return Math.max(1, Math.min(this.size, this.limit));
  }

  /**
   * env.qdq_host_tasks: how many tasks an operator should split `work` into
   * (at most `units`): as many as there are threads, fewer when a thread's
   * share would be below 4 times minWork (MIN_WORK_PER_THREAD_STREAMING)
   * for the streaming operators; for a region of kernels alone (`split`,
   * enum qdq_split), below a quarter of it (MIN_WORK_PER_THREAD_POLLING)
   * while the workers still poll or in a loop, and below 8 times it
   * (MIN_WORK_PER_THREAD_ASLEEP) otherwise; for a window of a streamed call
   * (QDQ_SPLIT_WINDOW), every thread: splitsStream() decided for the call.
   * (The pool's minWork scales all of them: tests set it to 0 to split every call.)
   * @param {number} work @param {number} units @param {number} split
   */
  tasks(work, units, split) {
    let t = Math.min(this.threads(), units);
    if (split === SPLIT_WINDOW) return Math.max(t, 1);
    let minWork = this.minWork;
    const pollingMin = minWork * (MIN_WORK_PER_THREAD_POLLING / MIN_WORK_PER_THREAD);
    const asleepMin = minWork * (MIN_WORK_PER_THREAD_ASLEEP / MIN_WORK_PER_THREAD);
    if (split !== SPLIT_KERNELS) minWork *= MIN_WORK_PER_THREAD_STREAMING / MIN_WORK_PER_THREAD;
    else if (t > 1 && work < asleepMin * t && work >= 2 * pollingMin) {
      // Worth splitting if the workers poll. They do after a region; and in a
      // loop of such calls, the second call wakes them (a split costs then
      // only the wake-up call, ~8 µs here: join() does not wait for them) so
      // that the calls after it find them polling. An isolated call splits
      // only when each thread's part is worth a late worker (asleepMin).
      // (Not while the pool is quiet: they would not poll.)
      const now = performance.now();
      const loop = this.askedCall !== this.calls && now - this.askedAt < Atomics.load(this.c, CONTROL.spin) / 1000;
      this.askedAt = now;
      this.askedCall = this.calls;
      minWork = loop || this.polling() ? pollingMin : asleepMin;
    }
    while (t > 1 && work < minWork * t) t--;
    return Math.max(t, 1);
  }

  /**
   * Whether a streaming operator's call of `work` (its kernels and copies, in
   * multiply-adds, over `units` input blocks) goes through windows on several
   * threads (binding.js stream()): while the workers poll, from
   * MIN_WORK_PER_THREAD_STREAMING per thread; while they sleep, from
   * MIN_WORK_PER_THREAD_WINDOWED_ASLEEP times `asleepScale` (an operator
   * whose windows pay later after a pause: more; Infinity: only with polling
   * workers). Both scale with minWork (0: always).
   * @param {number} work @param {number} units @param {number} [asleepScale]
   */
  splitsStream(work, units, asleepScale = 1) {
    const t = Math.min(this.threads(), units);
    if (t < 2) return false;
    if (this.minWork === 0) return true;
    const min = this.polling() ? MIN_WORK_PER_THREAD_STREAMING : MIN_WORK_PER_THREAD_WINDOWED_ASLEEP * asleepScale;
    return work >= (this.minWork / MIN_WORK_PER_THREAD) * min * 2;
  }

  /**
   * Whether the workers are surely still polling: the last region with
   * helpers ended less than half their budget ago (a worker that woke after
   * that end, its part claimed, polls from later still).
   * @private
   */
  polling() {
    return performance.now() - this.lastEnd < this.lastSpin / 2000;
  }

  /**
   * env.qdq_host_parallelize: runs fn(ctx, task, thread) for tasks
   * 0..tasks-1 on `threads` threads and returns when all are done.
   * `marks` (when nonzero) points to `marks_count` pairs of uint32
   * (tasks, bytes), both ascending: once tasks [0, tasks) are finished, the
   * operator's output is final up to `bytes`. With an output armed by call()
   * (`this.out`) and workers taking part, this thread copies each final part
   * out between its own tasks, so most of the copy, and the page faults of a
   * new result array, run while the workers compute instead of after them
   * (docs/threads.md T3).
   * @param {number} fn @param {number} ctx @param {number} tasks @param {number} threads
   * @param {number} [marks] @param {number} [marksCount]
   */
  parallelize(fn, ctx, tasks, threads, marks = 0, marksCount = 0) {
    this.region(fn, ctx, tasks, threads, marks, marksCount, null);
  }

  /**
   * env.qdq_host_parallelize_input: a region whose task t reads block t (of
   * INPUT_BLOCK_BYTES) of the input call() left unwritten (this.in; of each
   * of its parts). This thread writes the blocks in order, publishing each in the ready word,
   * while the workers take tasks, each waiting for its block; then it takes
   * tasks too. The copy into wasm memory, which only this thread can do,
   * then overlaps the operator's first pass over it (docs/threads.md T3).
   * `marks` as for parallelize(): a streaming operator's window also has
   * its output copied out between this thread's tasks (docs/threads.md T5).
   * @param {number} fn @param {number} ctx @param {number} tasks @param {number} threads
   * @param {number} [marks] @param {number} [marksCount]
   */
  parallelizeInput(fn, ctx, tasks, threads, marks = 0, marksCount = 0) {
    const input = this.in;
    this.in = null;
    if (input === null || Math.ceil(input.bytes / INPUT_BLOCK_BYTES) !== tasks) {
      throw new Error(`qdq-wasm: a region over ${tasks} input blocks, and ${input === null ? 'no input' : `${input.bytes} bytes`} to write`);
    }
    this.region(fn, ctx, tasks, threads, marks, marksCount, input);
  }

  /**
   * @private
   * @param {number} fn @param {number} ctx @param {number} tasks @param {number} threads
   * @param {number} marks @param {number} marksCount @param {StreamedInput | null} input
   */
  region(fn, ctx, tasks, threads, marks, marksCount, input) {
    const c = this.c;
    const helpers = Math.min(tasks, threads, this.threads()) - 1;
    c[CONTROL.fn] = fn;
    c[CONTROL.ctx] = ctx;
    c[CONTROL.failed] = 0;
    c[CONTROL.tasks] = tasks;
    Atomics.store(c, CONTROL.ready, 0);
    Atomics.store(c, CONTROL.gated, input === null ? 0 : tasks);
    Atomics.store(c, CONTROL.next, 0);
    Atomics.store(c, CONTROL.pending, helpers);
    if (helpers > 0) {
      this.regions++;
      this.regionTasks += tasks;
    }
    const woken = this.woken;
    for (let i = 1; i <= helpers; i++) {
      woken[i] = Atomics.add(c, WAKE + i, 1) + 1; // this region, for worker i (CLAIM)
      Atomics.notify(c, WAKE + i, 1);
    }
    const run = this.main.exports.qdq_parallel_run;
    const out = this.out;
    let mine = 0;
    // Were the workers surely still polling when this region began (the
    // last one ended less than half their budget ago)? Only then does their
    // share of the tasks say whether they had a CPU (pace()).
    const polled = helpers > 0 && this.polling();
    try {
      if (input !== null) {
        const memory = new Uint8Array(this.main.memory.buffer);
        for (let b = 0; b < tasks; b++) {
          const begin = b * INPUT_BLOCK_BYTES, end = Math.min(begin + INPUT_BLOCK_BYTES, input.bytes);
          for (const part of input.parts) memory.set(part.src.subarray(begin, end), part.ptr + begin);
          Atomics.store(c, CONTROL.ready, b + 1);
          // A worker waiting for this block sleeps after a short poll (worker.js); without a waiter this is cheap.
          Atomics.notify(c, CONTROL.ready);
        }
        this.streamedIn += input.bytes * input.parts.length;
      }
      const m = out !== null && marks !== 0 && helpers > 0 ? new Uint32Array(this.main.memory.buffer, marks, 2 * marksCount) : null;
      let k = m === null ? marksCount : 0; // marks passed: all of them when nothing is copied during the region
      const copyFinished = () => {
        const done = this.finished(helpers);
        let end = 0;
        for (; k < marksCount && /** @type {Uint32Array} */ (m)[2 * k] <= done; k++) end = /** @type {Uint32Array} */ (m)[2 * k + 1];
        if (out !== null && end > out.done) {
          this.copiedDuring += end - out.done;
          copyPart(out, this.main.memory, end);
        }
      };
      // A copy that fails (a result array that cannot be allocated) is no fault of the operator's:
      // the region runs to its end and the operator returns, freeing its workspaces, and call()
      // throws the error after that. Thrown from here it would unwind the operator's wasm frames
      // without their epilogues, leaking its stack frame and workspaces with every such error.
      const copyOrDefer = () => {
        try {
          copyFinished();
        } catch (err) {
          if (this.deferred === null) this.deferred = err;
          k = marksCount;
        }
      };
      for (let t = Atomics.add(c, CONTROL.next, 1); t < tasks; t = Atomics.add(c, CONTROL.next, 1)) {
        run(fn, ctx, t, 0);
        mine++;
        if (k < marksCount) copyOrDefer();
      }
      if (k < marksCount) copyOrDefer();
    } catch (err) {
      // A trap on this thread: no task is handed out any more and the workers
      // finish their current ones before anything else touches the control
      // block; call() puts the stack pointer back.
      Atomics.add(c, CONTROL.next, tasks);
      Atomics.store(c, CONTROL.ready, tasks); // a worker waiting for a block runs its task on whatever is there
      Atomics.notify(c, CONTROL.ready);
      this.join(helpers);
      Atomics.store(c, CONTROL.gated, 0);
      throw err;
    }
    this.join(helpers);
    Atomics.store(c, CONTROL.gated, 0);
    if (helpers > 0) this.pace(tasks, mine, helpers, polled);
    if (Atomics.load(c, CONTROL.failed) !== 0) throw new Error('qdq-wasm: a pool thread failed while running an operator');
  }

  /** Stops polling for QUIET_MS. @private */
  quiet() {
    this.quietUntil = performance.now() + QUIET_MS;
    this.quietSpells++;
  }

  /** Microseconds a thread polls before it sleeps, at most (0: never; SPIN_MICROS). @internal */
  get spinMicros() {
    return this.spinMax;
  }

  set spinMicros(us) {
    this.spinMax = us;
    this.quietUntil = 0;
    Atomics.store(this.c, CONTROL.spin, us);
  }

  /**
   * Sets how long threads poll from now on: spinMicros, or nothing for
   * QUIET_MS after two regions in a row that began with the workers
   * polling, had enough tasks, and in which they took less than half their
   * share (this thread ran `mine` of `tasks`): polling threads that still
   * start late were waiting for a CPU. Workers read it when they leave a region.
   * @private @param {number} tasks @param {number} mine @param {number} helpers @param {boolean} polled
   */
  pace(tasks, mine, helpers, polled) {
    const now = performance.now();
    if (polled && tasks >= 8 * (helpers + 1)) {
      // Two such regions in a row: one alone happens on an idle machine too
      // (a worker descheduled for a moment).
      const starved = 2 * (tasks - mine) * (helpers + 1) < tasks * helpers;
      this.strikes = starved ? this.strikes + 1 : 0;
      if (this.strikes >= 2) {
        this.strikes = 0;
        this.quiet();
      }
    }
    const spin = now < this.quietUntil ? 0 : this.spinMax;
    const before = Atomics.load(this.c, CONTROL.spin);
    if (before !== spin) Atomics.store(this.c, CONTROL.spin, spin);
    this.lastEnd = now;
    // The workers leaving this region read the word before or after this store.
    this.lastSpin = Math.min(before, spin);
  }

  /**
   * Waits until every worker has left the current region, once every task
   * is handed out. A worker that has not woken yet is not waited for: this
   * thread claims its part of the region (pool-control.js CLAIM), and the
   * worker, when it wakes, finds the region claimed and goes back to polling.
   * So a split call never costs a worker's wake-up (25-45 µs here; far more
   * when the worker waits for a CPU): a worker that wakes late has no task
   * left anyway.
   * @private @param {number} helpers
   */
  join(helpers) {
    const c = this.c;
    const woken = this.woken;
    for (let i = 1; i <= helpers; i++) {
      const previous = (woken[i] - 1) | 0;
      if (Atomics.compareExchange(c, CLAIM + i, previous, woken[i]) === previous) {
        Atomics.sub(c, CONTROL.pending, 1);
        this.claims++;
      }
    }
    if (!this.spin) pollFor(Atomics.load(c, CONTROL.spin), () => Atomics.load(c, CONTROL.pending) === 0);
    for (let p = Atomics.load(c, CONTROL.pending); p !== 0; p = Atomics.load(c, CONTROL.pending)) {
      if (!this.spin) Atomics.wait(c, CONTROL.pending, p);
    }
  }

  /**
   * How many leading tasks of the current region are finished, seen from the
   * calling thread between its own tasks. Read next first, then each
   * worker's hold word: a task below next was taken before that read, by
   * this thread (which has finished it) or by a worker that announced it, or
   * a lower one, in its hold word before taking it, and that word changes
   * only after the task is finished. Sequentially consistent atomics make
   * the task's writes visible once the changed word is seen.
   * @private @param {number} helpers
   */
  finished(helpers) {
    const c = this.c;
    let done = Atomics.load(c, CONTROL.next);
    for (let i = 1; i <= helpers; i++) {
      const h = Atomics.load(c, HOLD + i);
      if (h !== 0 && h - 1 < done) done = h - 1;
    }
    return Math.min(done, Atomics.load(c, CONTROL.tasks));
  }

  /** Stops and ends every worker; the pool then runs everything on the calling thread. Idempotent. */
  dispose() {
    Atomics.store(this.c, CONTROL.stop, 1);
    for (let i = 1; i < this.workers.length + 1; i++) {
      Atomics.add(this.c, WAKE + i, 1);
      Atomics.notify(this.c, WAKE + i);
    }
    const ended = this.workers.map((w) => w.terminate());
    this.workers = [];
    this.size = 1;
    // The stacks go back to the heap once no worker can touch them: Node's terminate()
    // resolves when the thread has stopped; a browser's stops it at once.
    const stacks = this.stacks;
    this.stacks = [];
    if (stacks.length > 0 && this.free !== null) {
      const free = this.free;
      Promise.all(ended).then(() => {
        for (const p of stacks) free(p);
      }, () => {});
    }
  }
}

/**
 * An output call() copies out of wasm memory while the operator runs: bytes
 * [0, done) of the `bytes` at `ptr` are in `array` (created at the first
 * copy, when call() did not pass the caller's own `out`).
 * @typedef {{ ptr: number, bytes: number, Type: new (length: number) => ArrayBufferView,
 *   length: number, array: ArrayBufferView | null, done: number, name: string }} ProgressiveOutput
 */

/**
 * The inputs call() leaves for the operator's first region to write into wasm
 * memory (Pool#parallelizeInput): for each part, the `bytes` bytes of `src` go
 * to `ptr`; block b of every part is written before the ready word says b + 1
 * (two for the error statistics' windows: x and xHat).
 * @typedef {{ parts: { src: Uint8Array, ptr: number }[], bytes: number }} StreamedInput
 */

/**
 * Copies bytes [out.done, end) of the output from wasm memory into its array,
 * creating the array first (on this thread, inside the region: its page
 * faults then overlap the workers' tasks).
 * @param {ProgressiveOutput} out @param {WebAssembly.Memory} memory @param {number} end
 */
export function copyPart(out, memory, end) {
  if (out.array === null) out.array = new out.Type(out.length);
  bytesOf(out.array, out.done, end).set(new Uint8Array(memory.buffer, out.ptr + out.done, end - out.done));
  out.done = end;
}
