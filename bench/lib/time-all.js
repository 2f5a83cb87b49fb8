// The benchmarks' timer: median ms per call of each candidate, with runs that
// alternate between candidates so that load from other processes on a shared
// machine falls on all of them alike instead of on whichever happened to run
// during a burst. Each run repeats a call for at least minBatchMs.

/**
 * @param {Record<string, () => unknown>} fns
 * @param {{ runs?: number, minBatchMs?: number, settleMs?: number }} [opts] runs: default 9; minBatchMs:
 *   default 40; settleMs: an idle pause before each batch (default 0), so that a candidate's own
 *   threads that spin after a call (onnxruntime's thread pool does) are asleep before the next
 *   candidate starts, instead of taking a core from it
 * @returns {Promise<Record<string, number>>} median ms per call, by name
 */
export async function timeAll(fns, opts = {}) {
  const times = await timeAllRuns(fns, opts);
  /** @type {Record<string, number>} */
  const med = {};
  for (const [name, t] of Object.entries(times)) med[name] = median(t);
  return med;
}

/** @param {number[]} v @returns {number} the median (the upper one of an even count) */
export function median(v) {
  return [...v].sort((x, y) => x - y)[v.length >> 1];
}

/**
 * The median over runs of the ratio a / b of two candidates' times in the
 * same run: adjacent batches share the machine's state, so a speed swing
 * between runs (this VM's reach 2x within minutes) cancels out of the ratio,
 * where a ratio of medians can pair a fast run of one with a slow run of the other.
 * @param {Record<string, number[]>} times from timeAllRuns @param {string} a @param {string} b
 */
export function pairedRatio(times, a, b) {
  return median(times[a].map((t, i) => t / times[b][i]));
}

/**
 * Like timeAll, but every run's ms per call, by name, in run order. A
 * candidate with a batch(reps) method (one that runs on another thread,
 * lib/ort-one-thread.js) is timed by it: it returns the ms of reps calls.
 * @param {Record<string, () => unknown>} fns
 * @param {{ runs?: number, minBatchMs?: number, settleMs?: number }} [opts] as timeAll's
 * @returns {Promise<Record<string, number[]>>}
 */
export async function timeAllRuns(fns, { runs = 9, minBatchMs = 40, settleMs = 0 } = {}) {
  const settle = () => (settleMs > 0 ? new Promise((resolve) => setTimeout(resolve, settleMs)) : undefined);
  /** ms for reps calls: timed here, or by the candidate itself (batch) when it runs elsewhere. */
  const batch = async (/** @type {any} */ fn, /** @type {number} */ reps) => {
    if (typeof fn.batch === 'function') return fn.batch(reps);
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await fn();
    return performance.now() - t0;
  };
  /** @type {Record<string, number>} */
  const reps = {};
  /** @type {Record<string, number[]>} */
  const times = {};
  for (const [name, fn] of Object.entries(fns)) {
    await fn();
    let r = 1;
    while ((await batch(fn, r)) < minBatchMs) r *= 2;
    reps[name] = r;
    times[name] = [];
  }
  for (let run = 0; run < runs; run++) {
    for (const [name, fn] of Object.entries(fns)) {
      await settle();
      times[name].push((await batch(fn, reps[name])) / reps[name]);
    }
  }
  return times;
}
