// Copies of the objects that hold observation state (observers, FakeQuantize): what their clone()
// returns, and what a prepared module's clone() gives its copy (torch's deepcopy of a prepared model
// copies its observers with the ranges they have seen).

/**
 * A deep copy of one of this library's state-holding objects: a new object of the same class with
 * its own properties copied, typed arrays and arrays copied, nested objects copied the same way (or
 * by their clone()), functions and frozen objects (settings) shared. Only for classes that keep all
 * their state in own properties, as this library's observers do (no private fields, no wasm memory).
 * @template T @param {T} v @returns {T}
 */
export function copyState(v) {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return /** @type {any} */ (v).slice();
  if (Array.isArray(v)) return /** @type {any} */ (v.map(copyState));
  if (Object.isFrozen(v)) return v;
  const c = Object.create(Object.getPrototypeOf(v));
  for (const key of Reflect.ownKeys(v)) {
    const d = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(v, key));
    if ('value' in d) d.value = copyState(d.value);
    Object.defineProperty(c, key, d);
  }
  return c;
}
