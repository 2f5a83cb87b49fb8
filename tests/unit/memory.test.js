// Memory: 100,000 calls of each API leave the wasm memory the same size and
// the allocator's free list where it was (a leak of even a few bytes per call
// would move the next malloc's address), and never detach what we returned.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { RawWasm } from '../helpers/raw-wasm.js';

const rt = new RawWasm(getRuntime()); // the production module's malloc, to probe its heap
const CALLS = 100_000;
const x = Float32Array.of(1, 2, 3, 4, 5, 6);
const wide = new Float32Array(300 * 2).map((_, i) => Math.sin(i)); // 300 channels: past the scratch area, so malloc/free per call
const wideScales = new Float32Array(300).fill(0.01);

/** Probe the allocator: the address a fresh 24-byte block lands at. */
function nextMalloc() {
  const p = rt.alloc(24);
  rt.free(p);
  return p;
}

const APIS = {
  quantizePerTensor: () => qdq.quantizePerTensor(x, { scale: 0.1, zeroPoint: 1 }),
  quantizePerChannel: () => qdq.quantizePerChannel(wide, { shape: [300, 2], axis: 0, scales: wideScales }),
  dequantize: () => qdq.dequantize({ data: Int8Array.of(1, 2, 3), scale: 0.5, zeroPoint: 1 }),
  dequantizePerChannel: () => qdq.dequantize({ data: new Int8Array(600), shape: [300, 2], axis: 0, scales: wideScales }),
  fakeQuantizePerTensor: () => qdq.fakeQuantizePerTensor(x, { scale: 0.1 }),
  fakeQuantizePerChannel: () => qdq.fakeQuantizePerChannel(wide, { shape: [300, 2], axis: 0, scales: wideScales }),
  errorStats: () => qdq.errorStats(wide, wide, { shape: [300, 2], axis: 0 }),
  quantize: () => qdq.quantize(x, { shape: [2, 3], axis: 1 }),
  dynamicQuantizeLinear: () => qdq.dynamicQuantizeLinear(x),
  MinMaxObserver: () => new qdq.MinMaxObserver().observe(x),
  PerChannelMinMaxObserver: () => {
    const o = new qdq.PerChannelMinMaxObserver({ axis: 0 });
    o.observe(wide, [300, 2]);
    o.calculateQParams();
  },
  'errors': () => {
    try { qdq.quantizePerTensor(x, { scale: -1 }); } catch { /* expected */ }
    try { new qdq.MinMaxObserver().observe(Float32Array.of(NaN)); } catch { /* expected */ }
  },
};

test('memory', async (t) => {
  for (const [name, call] of Object.entries(APIS)) {
    await t.test(`should not grow or leak over ${CALLS} calls of ${name}`, () => {
      call(); // warm-up: first use may allocate what later calls reuse
      const bytes = rt.memory.buffer.byteLength;
      const probe = nextMalloc();
      for (let i = 0; i < CALLS; i++) call();
      assert.equal(rt.memory.buffer.byteLength, bytes, 'wasm memory grew');
      assert.equal(nextMalloc(), probe, 'the allocator state moved: something was not freed');
    });
  }
  await t.test('should hand out arrays that survive memory growth', () => {
    const q = qdq.quantizePerTensor(x, { scale: 0.5 });
    const grow = rt.alloc(64 << 20); // forces memory.grow, which detaches old views of wasm memory
    rt.free(grow);
    assert.deepEqual([...q.data], [2, 4, 6, 8, 10, 12]);
    assert.equal(q.data.buffer.byteLength, 6, 'the result owns its own buffer');
  });
});
