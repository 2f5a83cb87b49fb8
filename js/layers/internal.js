// The token this library's factories pass to the layers' constructors
// (PackedMatrix.pack aside, whose constructor checks everything itself). It is
// not exported from the package, so `new Linear(...)` from outside gets a
// TypeError naming the factory to call, instead of a layer built from
// arguments nobody checked (a weight shorter than its shape reads past it).

export const INTERNAL = Symbol('qdq-wasm: internal constructor');

/**
 * Throws unless a constructor was called by one of this library's factories.
 * @param {unknown} token the constructor's first argument
 * @param {string} kind the class name @param {string} factories what to call instead
 */
export function internalOnly(token, kind, factories) {
  if (token !== INTERNAL) {
    throw new TypeError(`qdq-wasm: ${kind} has no public constructor; use ${factories}`);
  }
}
