// Words of the control block bench/lib/pair-bound.js (and bench/threads-browser.js) shares with
// its workers, and the workers' loop.
/** Bumped to start a region. */
export const GEN = 0;
/** The call a region runs: 0 the dynamic Linear, 1 u8s8 matmulInteger; -1 leave the shape. */
export const OP = 1;
/** Calls in the region. */
export const TASKS = 2;
/** The next call not yet taken. */
export const NEXT = 3;
/** Workers still in the region. */
export const PENDING = 4;
export const WORDS = 5;

/**
 * A worker's side of the regions of one shape: waits for each region, takes
 * whole calls (`fns[op]`) until the region's are all taken, and leaves when
 * a region's op is -1.
 * @param {Int32Array} c the control block @param {(() => unknown)[]} fns by op
 */
export function serveRegions(c, fns) {
  let seen = Atomics.load(c, GEN);
  return () => {
    for (;;) {
      while (Atomics.load(c, GEN) === seen) Atomics.wait(c, GEN, seen);
      seen = Atomics.load(c, GEN);
      const op = Atomics.load(c, OP);
      if (op >= 0) {
        const tasks = Atomics.load(c, TASKS);
        while (Atomics.add(c, NEXT, 1) < tasks) fns[op]();
      }
      if (Atomics.sub(c, PENDING, 1) === 1) Atomics.notify(c, PENDING);
      if (op < 0) break;
    }
  };
}
