// The pool's worker (js/runtime/worker.js), made to die once it has run: its
// second sleep throws, so start() ends and the thread exits, as one the
// engine ends would. Its first sleep, until the first region, is real: the
// pool has started by then. For the test of a worker lost from a running
// pool (tests/unit/threads.test.js).
const wait = Atomics.wait;
let sleeps = 0;
Atomics.wait = (...args) => {
  if (++sleeps > 1) throw new Error('simulated death of a pool worker');
  return wait(...args);
};
await import('../../js/runtime/worker.js');
