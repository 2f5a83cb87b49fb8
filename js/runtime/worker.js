// A pool thread (Node worker_threads or a Web Worker): instantiates the
// shared-memory build on the main thread's memory, moves its stack pointer to
// the region the main thread allocated for it, then sleeps in Atomics.wait
// until js/runtime/pool.js hands it a task. It never allocates and never
// calls _initialize (the main instance did both).
//
// It imports nothing: the control block's layout comes in the start message
// (pool-control.js, through pool.js). A bundler that copies this file as an
// asset, found by new URL('./worker.js', import.meta.url) (webpack for
// Node, Vite's and webpack's raw copies), or a user who copies it for
// workerUrl, then has all of it, and it runs as a module or as a script.

/** Microseconds a worker polls for an input block before it sleeps until the block is written. */
const BLOCK_POLL_MICROS = 50;
/** Tasks a worker must run alone, the whole region, before it concludes the calling thread had no CPU. */
const YIELD_MIN_TASKS = 16;

/**
 * Polls `done` for up to `us` microseconds, reading the clock every 64 polls:
 * pool-control.js's pollFor, which this file cannot import.
 * @param {number} us @param {() => boolean} done
 */
function pollFor(us, done) {
  if (us <= 0) return;
  const end = performance.now() + us / 1000;
  for (let i = 1; !done(); i++) if ((i & 63) === 0 && performance.now() > end) return;
}

/**
 * @param {{ module: WebAssembly.Module, memory: WebAssembly.Memory, control: number, index: number,
 *   stackTop: number, layout: { CONTROL: typeof import('./pool-control.js').CONTROL, WAKE: number, HOLD: number, CLAIM: number } }} data
 * @param {(message: any) => void} post
 */
function start(data, post) {
  const { CONTROL, WAKE, HOLD, CLAIM } = data.layout;
  const refuse = () => {
    throw new Error('qdq-wasm: a pool thread cannot start a parallel region');
  };
  const instance = new WebAssembly.Instance(data.module, {
    env: {
      memory: data.memory,
      emscripten_notify_memory_growth: () => {},
      qdq_host_tasks: () => 1,
      qdq_host_parallelize: refuse,
      qdq_host_parallelize_input: refuse,
    },
    wasi_snapshot_preview1: { proc_exit: refuse, fd_write: () => 52, fd_close: () => 52, fd_seek: () => 52 },
  });
  const ex = /** @type {Record<string, any>} */ (instance.exports);
  ex.stackRestore(data.stackTop);
  // The control block sits in the first pages of memory, which growth never
  // moves, so this view stays valid for the thread's life.
  const c = new Int32Array(data.memory.buffer, data.control, CONTROL.words);
  const wake = WAKE + data.index;
  const hold = HOLD + data.index;
  const claim = CLAIM + data.index;
  // Read before saying ready: the main thread may bump the word as soon as it
  // hears, and a bump read here as already seen would never be answered.
  let seen = Atomics.load(c, wake);
  // Whether to sleep at once after this region instead of polling (below).
  let yieldCpu = false;
  post({ ready: true });
  const bumped = () => Atomics.load(c, wake) !== seen;
  for (;;) {
    // Poll for a while before sleeping: the next region often follows within
    // microseconds (the GEMM after its staging, the next call of a loop), and
    // a futex wake-up costs tens of them (docs/threads.md T3).
    if (!yieldCpu) pollFor(Atomics.load(c, CONTROL.spin), bumped);
    yieldCpu = false;
    // Run only for a new bump of the wake word, never for a wake-up alone: the
    // main thread bumps, then notifies, and when it is descheduled in between,
    // this thread may see the bump, run the task and be waiting again when
    // the late notify arrives; running the task again would decrement pending
    // twice (below zero: the next region would wait forever).
    while (!bumped()) Atomics.wait(c, wake, seen);
    seen = Atomics.load(c, wake);
    if (Atomics.load(c, CONTROL.stop) !== 0) return;
    // Claim the region before touching it. The calling thread claims it
    // instead once it has handed out every task (it then does not wait for
    // this thread): losing means the region is over or about to be, and
    // nothing of it is this thread's (pool-control.js CLAIM).
    const previous = (seen - 1) | 0;
    if (Atomics.compareExchange(c, claim, previous, seen) !== previous) continue;
    let took = 0, tasks = 0, gated = 0;
    try {
      const fn = Atomics.load(c, CONTROL.fn), ctx = Atomics.load(c, CONTROL.ctx);
      tasks = Atomics.load(c, CONTROL.tasks);
      gated = Atomics.load(c, CONTROL.gated);
      for (;;) {
        // Say which task this thread may take before taking it (next only
        // grows, so the task taken is at least the one announced): the
        // calling thread reads next, then the hold words, and counts tasks
        // below both as finished (Pool#finished).
        Atomics.store(c, hold, Atomics.load(c, CONTROL.next) + 1);
        const t = Atomics.add(c, CONTROL.next, 1);
        if (t >= tasks) break;
        // Task t of a region over a streamed input reads block t: wait for
        // it. The calling thread writes the blocks in order, 64 KiB in a few
        // µs each, so poll first; then sleep until it notifies: spinning on,
        // this thread kept a calling thread that shared its core from
        // writing the block for a whole time slice (6.6 ms for one region,
        // docs/threads.md T3).
        if (t < Atomics.load(c, CONTROL.gated)) {
          const arrived = () => Atomics.load(c, CONTROL.ready) > t;
          pollFor(BLOCK_POLL_MICROS, arrived);
          for (let r = Atomics.load(c, CONTROL.ready); r <= t; r = Atomics.load(c, CONTROL.ready)) Atomics.wait(c, CONTROL.ready, r);
        }
        ex.qdq_parallel_run(fn, ctx, t, data.index);
        took++;
      }
    } catch (err) {
      Atomics.store(c, CONTROL.failed, 1);
      post({ error: String(/** @type {Error} */ (err)?.stack ?? err) });
    }
    Atomics.store(c, hold, 0);
    // This thread ran every task, so the calling thread, which takes tasks as
    // soon as it has woken the workers, ran none: it had no CPU, most likely
    // because this thread was woken onto its core and took it (seen on a
    // 2-vCPU VM, docs/threads.md T3). Polling now would keep that core from
    // it for the whole poll; sleeping at once gives it back. Only over
    // YIELD_MIN_TASKS: a few short tasks can all go to a polling worker while
    // the calling thread is still notifying. (Nor in a region over a streamed
    // input: there the calling thread writes the blocks first and often takes
    // no task while running.)
    yieldCpu = took >= YIELD_MIN_TASKS && took === tasks && gated === 0;
    if (Atomics.add(c, CONTROL.pending, -1) === 1) Atomics.notify(c, CONTROL.pending);
  }
}

const isNode = typeof process !== 'undefined' && process.versions?.node != null && typeof self === 'undefined';
if (isNode) {
  const { parentPort, workerData } = /** @type {typeof import('node:worker_threads')} */ (process.getBuiltinModule('node:worker_threads'));
  const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
  try {
    start(workerData, (m) => port.postMessage(m));
  } catch (err) {
    port.postMessage({ failed: String(/** @type {Error} */ (err)?.message ?? err) });
  }
} else {
  self.onmessage = (/** @type {MessageEvent} */ e) => {
    try {
      start(e.data, (m) => self.postMessage(m));
    } catch (err) {
      self.postMessage({ failed: String(/** @type {Error} */ (err)?.message ?? err) });
    }
  };
}
