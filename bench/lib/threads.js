// What the thread benchmarks share: running a candidate under a thread limit,
// and the line that names the machine and its load.
import os from 'node:os';
import { setThreadLimit } from '../../js/runtime/loader.js';

/**
 * fn as a candidate that runs with at most n threads (and the pool's default
 * threshold, unless minWork is given: 0 splits every call).
 * @param {number} n @param {() => unknown} fn @param {number} [minWork]
 * @returns {() => unknown}
 */
export function onThreads(n, fn, minWork) {
  return () => {
    setThreadLimit(n, minWork);
    try {
      return fn();
    } finally {
      setThreadLimit(Infinity);
    }
  };
}

/** The CPU model, its logical CPUs and the load average now. */
export function machineLine() {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical CPUs, load average ${os.loadavg()[0].toFixed(1)}`;
}
