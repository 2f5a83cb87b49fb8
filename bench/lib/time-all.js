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
export async function timeAll(fns, { runs = 9, minBatchMs = 40, settleMs = 0 } = {}) {
  const settle = () => (settleMs > 0 ? new Promise((resolve) => setTimeout(resolve, settleMs)) : undefined);
  /** @type {Record<string, number>} */
  const reps = {};
  /** @type {Record<string, number[]>} */
  const times = {};
  for (const [name, fn] of Object.entries(fns)) {
    await fn();
    let r = 1;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < r; i++) await fn();
      if (performance.now() - t0 >= minBatchMs) break;
      r *= 2;
    }
    reps[name] = r;
    times[name] = [];
  }
  for (let run = 0; run < runs; run++) {
    for (const [name, fn] of Object.entries(fns)) {
      await settle();
      const t0 = performance.now();
      for (let i = 0; i < reps[name]; i++) await fn();
      times[name].push((performance.now() - t0) / reps[name]);
    }
  }
  /** @type {Record<string, number>} */
  const med = {};
  for (const [name, t] of Object.entries(times)) med[name] = t.sort((x, y) => x - y)[runs >> 1];
  return med;
}
