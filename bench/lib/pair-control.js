// Words of the control block bench/lib/pair-bound.js shares with its workers.
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
