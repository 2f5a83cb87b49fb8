// Copying 1 MiB of float32 out of wasm memory into a new array, the way
// js/runtime/binding.js returns a result: new Float32Array(n) then set()
// against constructing from a view (no zero fill first), from shared (the
// -mt builds) and unshared memory, and set() into a reused array. Medians of
// 9 batches of 100, idle process.
//   node bench/probes/copy-out.js
import os from 'node:os';

const N = 262144;
const at = 1 << 20;
const shared = new WebAssembly.Memory({ initial: 256, maximum: 1024, shared: true });
const plain = new WebAssembly.Memory({ initial: 256, maximum: 1024 });
const sv = new Float32Array(shared.buffer, at, N).fill(1.5);
const pv = new Float32Array(plain.buffer, at, N).fill(1.5);
const reused = new Float32Array(N);
/** @param {string} name @param {() => unknown} f */
function time(name, f) {
  for (let i = 0; i < 50; i++) f();
  const t = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) f();
    t.push((performance.now() - t0) / 100);
  }
  t.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} ${(t[4] * 1000).toFixed(0).padStart(5)} us`);
}
console.log(`1 MiB float32 out of wasm memory, Node ${process.version}, ${os.cpus()[0]?.model}`);
time('shared: new Float32Array(n).set(view)', () => new Float32Array(N).set(sv));
time('shared: new Float32Array(view)', () => new Float32Array(sv));
time('shared: set(view) into a reused array', () => reused.set(sv));
time('unshared: new Float32Array(n).set(view)', () => new Float32Array(N).set(pv));
time('unshared: new Float32Array(view)', () => new Float32Array(pv));
