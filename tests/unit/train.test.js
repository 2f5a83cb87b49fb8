// Training (js/nn/grad.js, js/nn/optim.js): Linear/ReLU backward, cross-entropy and SGD against
// plain float64 loops written here from the definitions (torch.nn.Linear, CrossEntropyLoss, optim.SGD).
// The C kernels behind them are checked bit for bit against their references in train-kernels.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { matmulF32, linearBackward } from '../../js/nn/grad.js';
import { rng } from '../helpers/oracle.js';
import { fma32 } from '../helpers/fma32.js';
import { readFileSync } from 'node:fs';

const { nn } = qdq;

/** Relative closeness for float32 results of sums of k products against float64: k·2⁻²³ of Σ|terms| suffices; 1e-5 covers k ≤ 64 here. */
function close(/** @type {ArrayLike<number>} */ got, /** @type {ArrayLike<number>} */ want, /** @type {ArrayLike<number>} */ scale, /** @type {string} */ what) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * (scale[i] + 1e-30) + 1e-12, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

/** a [m, k] · b [k, n] in float64, and Σ|a·b| per output (the error scale). */
function refMatmul(/** @type {ArrayLike<number>} */ a, /** @type {ArrayLike<number>} */ b, /** @type {number} */ m, /** @type {number} */ k, /** @type {number} */ n) {
  const y = new Float64Array(m * n), s = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
    y[i * n + j] += a[i * k + p] * b[p * n + j];
    s[i * n + j] += Math.abs(a[i * k + p] * b[p * n + j]);
  }
  return { y, s };
}

const randn = (/** @type {() => number} */ r, /** @type {number} */ n) => Float32Array.from({ length: n }, () => r() * 2 - 1);

test('nn.Linear backward (dX = dY·W, dW = dYᵀ·X, db = Σ dY)', async (t) => {
  await t.test('should give the float64 products within float32 accumulation error, odd shapes and tails', () => {
    const r = rng(5);
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [13, 9, 17], [64, 33, 10], [2, 67, 8]]) {
      const a = randn(r, m * k), b = randn(r, k * n);
      const want = refMatmul(a, b, m, k, n);
      close(matmulF32(a, b, m, k, n), want.y, want.s, `matmul ${m}x${k}x${n}`);
      const x = randn(r, m * k), w = randn(r, n * k), dy = randn(r, m * n);
      const g = linearBackward(x, w, dy, m, k, n, true);
      const dx = refMatmul(dy, w, m, n, k);
      close(/** @type {Float32Array} */ (g.dx), dx.y, dx.s, 'dx');
      const dyT = Float64Array.from({ length: n * m }, (_, i) => dy[(i % m) * n + Math.floor(i / m)]);
      const dw = refMatmul(dyT, x, n, m, k);
      close(g.dw, dw.y, dw.s, 'dw');
      const db = Float64Array.from({ length: n }, (_, j) => Array.from({ length: m }, (_, i) => dy[i * n + j]).reduce((s, v) => s + v, 0));
      close(g.db, db, Float64Array.from({ length: n }, (_, j) => Array.from({ length: m }, (_, i) => Math.abs(dy[i * n + j])).reduce((s, v) => s + v, 0)), 'db');
    }
  });
  await t.test('should back-propagate through Sequential(Linear, ReLU, LinearReLU, Linear) as finite differences say', () => {
    const r = rng(9);
    const model = new nn.Sequential(new nn.Linear(5, 4), new nn.ReLU(), new nn.LinearReLU(4, 6), new nn.Linear(6, 3));
    for (const p of model.parameters()) p.value.set(randn(r, p.value.length));
    for (const p of model.parameters()) p.owner.markChanged();
    const x = randn(r, 2 * 5), target = [2, 0];
    const lossOf = () => nn.crossEntropyLoss(model.forward(x, 2), target, 3).loss;
    model.train().zeroGrad();
    const { grad } = nn.crossEntropyLoss(model.forward(x, 2), target, 3);
    model.backward(grad, 2);
    // Central differences in float32 with h = 1e-2 on a smooth (away from ReLU kinks) loss: error O(h²) plus
    // float32 rounding of the loss over 2h, about 1e-3 absolute.
    for (const p of model.parameters()) {
      for (let i = 0; i < p.value.length; i++) {
        const v = p.value[i];
        p.value[i] = v + 1e-2; p.owner.markChanged(); const up = lossOf();
        p.value[i] = v - 1e-2; p.owner.markChanged(); const down = lossOf();
        p.value[i] = v; p.owner.markChanged();
        const fd = (up - down) / 2e-2;
        assert.ok(Math.abs(fd - /** @type {Float32Array} */ (p.grad)[i]) <= 2e-3, `${p.name}[${i}]: ${p.grad?.[i]} vs finite difference ${fd}`);
      }
    }
  });
  await t.test("should skip the first Linear's dX by default (same parameter gradients) and give it with inputGrad", () => {
    const r = rng(21);
    const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(7, 5), new nn.ReLU(), new nn.LinearReLU(5, 6), new nn.Linear(6, 3)).train();
    for (const p of model.parameters()) { p.value.set(randn(r, p.value.length)); p.owner.markChanged(); }
    const x = randn(r, 4 * 7), target = [2, 0, 1, 1];
    const run = (/** @type {boolean | undefined} */ inputGrad) => {
      model.zeroGrad();
      const { grad } = nn.crossEntropyLoss(model.forward(x, 4), target, 3);
      const dx = inputGrad === undefined ? model.backward(grad, 4) : model.backward(grad, 4, inputGrad);
      return { dx, grads: model.parameters().map((p) => Array.from(/** @type {Float32Array} */ (p.grad))) };
    };
    const skipped = run(undefined), full = run(true);
    assert.equal(skipped.dx, null);
    assert.deepEqual(skipped.grads, full.grads);
    // dL/dx = dL/dy1 · W1, with dL/dy1 recovered from the first Linear's bias gradient per row: check it
    // against the product written out, through a one-row batch where db = dL/dy1.
    model.zeroGrad();
    const x1 = x.subarray(0, 7);
    const g1 = nn.crossEntropyLoss(model.forward(x1, 1), [2], 3).grad;
    const dx1 = /** @type {Float32Array} */ (model.backward(g1, 1, true));
    const [w1, b1] = model.parameters();
    const want = Float32Array.from({ length: 7 }, (_, l) => {
      let acc = 0;
      for (let o = 0; o < 5; o++) acc = Math.fround(acc + Math.fround(/** @type {Float32Array} */ (b1.grad)[o] * w1.value[o * 7 + l]));
      return acc;
    });
    assert.deepEqual(dx1, want);
  });
  await t.test('should refuse non-finite weights and biases where they come in (forward repacks without checking)', () => {
    const fc = new nn.Linear(2, 1);
    assert.throws(() => { fc.weight = Float32Array.of(1, NaN); }, { name: 'RangeError', message: /^qdq-wasm: weight\[1\] is NaN/ });
    assert.throws(() => { fc.bias = Float32Array.of(Infinity); }, { name: 'RangeError', message: /^qdq-wasm: bias\[0\] is Infinity/ });
    assert.throws(() => fc.loadStateDict({ weight: { shape: [1, 2], data: Float32Array.of(-Infinity, 0) }, bias: { shape: [1], data: new Float32Array(1) } }),
      { name: 'RangeError', message: /weight\[0\] is -Infinity/ });
    assert.deepEqual(fc.forward(Float32Array.of(1, 2), 1), new Float32Array(1));
  });
  await t.test("should refuse a dy that does not fit the last forward's shape (the C products read what the shape says)", () => {
    const fc = new nn.Linear(3, 2).train(), relu = new nn.ReLU().train();
    fc.forward(new Float32Array(6), 2);
    relu.forward(new Float32Array(4));
    assert.throws(() => fc.backward(new Float32Array(3), 2), { name: 'RangeError', message: /^qdq-wasm: Linear\.backward needs dy of batch \* 2 floats for the last forward's 2 rows/ });
    assert.throws(() => fc.backward(new Float32Array(6), 3), { name: 'RangeError', message: /Linear\.backward needs dy/ });
    assert.throws(() => relu.backward(new Float32Array(5)), { name: 'RangeError', message: /^qdq-wasm: ReLU\.backward needs dy of 4 floats/ });
  });
  await t.test('should keep -0 and NaN through ReLU, as torch 1.13 does', () => {
    // torch.relu(torch.tensor([-0., nan, -1., 2.])) is [-0., nan, 0., 2.] (checked on Debian's 1.13).
    const bits = (/** @type {Float32Array} */ a) => [...new Uint32Array(a.buffer)];
    const x = Float32Array.of(-0, NaN, -1, 2);
    assert.deepEqual(bits(/** @type {Float32Array} */ (new nn.ReLU().forward(x))), [0x80000000, 0x7fc00000, 0, 0x40000000]);
    // LinearReLU is Linear then ReLU: a -0 output (weight 0, bias -0, x -1 gives -0 + -0) stays -0, as
    // torch.nn.ReLU()(nn.Linear(1, 1) with those values)(tensor([[-1.]])) is -0 on 1.13.
    const fused = new nn.LinearReLU(1, 1);
    fused.loadStateDict({ weight: { shape: [1, 1], data: Float32Array.of(0) }, bias: { shape: [1], data: Float32Array.of(-0) } });
    const y = fused.forward(Float32Array.of(-1), 1);
    assert.deepEqual(bits(y), [0x80000000]);
    fused.dispose();
  });
  await t.test('should refuse backward before a training-mode forward', () => {
    assert.throws(() => new nn.Linear(2, 2).backward(new Float32Array(2), 1), /forward\(\) in training mode/);
  });
});

test('nn.crossEntropyLoss()', async (t) => {
  await t.test('should give mean −log softmax[target] and (softmax − onehot) / batch', () => {
    const logits = Float32Array.of(1, 2, 3, 0, 0, 0);
    const { loss, grad } = nn.crossEntropyLoss(logits, [2, 0], 3);
    const l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, l1 = Math.log(3);
    assert.equal(loss, Math.fround((l0 + l1) / 2));
    const s = Math.exp(1) + Math.exp(2) + Math.exp(3);
    close(grad, [Math.exp(1) / s / 2, Math.exp(2) / s / 2, (Math.exp(3) / s - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6], [1, 1, 1, 1, 1, 1], 'grad');
  });
  await t.test('should refuse targets out of range', () => {
    assert.throws(() => nn.crossEntropyLoss(new Float32Array(3), [3], 3), { name: 'RangeError', message: /targets\[0\]/ });
  });
});

test('nn.SGD', async (t) => {
  await t.test('should match torch.optim.SGD bit for bit (tests/fixtures/train.json, from gen_train.py)', () => {
    // torch 1.13 fuses g + wd·p and p − lr·buf (one rounding each); separate roundings differ on
    // these cases (the generator checks), by up to hundreds of ulps near zero.
    const { sgd } = JSON.parse(readFileSync(new URL('../fixtures/train.json', import.meta.url), 'utf8'));
    const fromBits = (/** @type {number[]} */ b) => new Float32Array(Uint32Array.from(b).buffer);
    for (const c of sgd) {
      const n = c.p0.length;
      const fc = new nn.Linear(n, 1, { bias: false });
      fc.weight = fromBits(c.p0);
      const [p] = fc.parameters();
      const opt = new nn.SGD(fc.parameters(), { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay });
      c.grads.forEach((/** @type {number[]} */ g, /** @type {number} */ step) => {
        p.grad = fromBits(g);
        opt.step();
        assert.deepEqual([...new Uint32Array(fc.weight.buffer, fc.weight.byteOffset, n)], c.steps[step].p,
          `lr ${c.lr} momentum ${c.momentum} weightDecay ${c.weightDecay} n ${n}, step ${step}`);
      });
      opt.dispose();
      fc.dispose();
    }
  });
  await t.test('should follow torch.optim.SGD: buf = g first, then momentum·buf + g, with weight decay, in float32', () => {
    const fc = new nn.Linear(1, 1, { bias: false });
    fc.weight = Float32Array.of(1);
    const [p] = fc.parameters();
    const opt = new nn.SGD(fc.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    const f = Math.fround;
    let w = f(1), buf = 0;
    for (let step = 0; step < 3; step++) {
      p.grad = Float32Array.of(0.5);
      opt.step();
      const g = fma32(f(0.01), w, f(0.5)); // fused, as torch's add(alpha) kernel
      buf = step === 0 ? g : f(f(f(0.9) * buf) + g);
      w = fma32(f(-0.1), buf, w);
      assert.equal(fc.weight[0], w, `step ${step}`);
    }
  });
  await t.test('should keep no buffer with momentum 0: p -= lr · (g + weightDecay · p), every step alike', () => {
    const fc = new nn.Linear(3, 1, { bias: false });
    fc.weight = Float32Array.of(1, -2, 0.5);
    const [p] = fc.parameters();
    const opt = new nn.SGD(fc.parameters(), { lr: 0.25, weightDecay: 0.5 });
    const f = Math.fround;
    const w = [1, -2, 0.5];
    for (let step = 0; step < 2; step++) {
      p.grad = Float32Array.of(0.5, 0, -1);
      opt.step();
      for (let i = 0; i < 3; i++) w[i] = fma32(-0.25, fma32(0.5, w[i], p.grad[i]), w[i]);
      assert.deepEqual(Array.from(fc.weight), w, `step ${step}`);
    }
  });
  await t.test('should refuse a gradient of another length', () => {
    const fc = new nn.Linear(2, 1, { bias: false });
    const [p] = fc.parameters();
    p.grad = new Float32Array(3);
    assert.throws(() => new nn.SGD(fc.parameters(), { lr: 0.1 }).step(), { name: 'RangeError', message: /^qdq-wasm: weight\.grad \(params\[0\]\) has 3 values; the parameter has 2/ });
  });
  await t.test('should train the Fashion MLP shape on a separable toy problem', () => {
    const r = rng(3);
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 2)).train();
    for (const p of model.parameters()) { p.value.set(randn(r, p.value.length).map((v) => v * 0.3)); p.owner.markChanged(); }
    const opt = new nn.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = randn(r, 64 * 8), y = Array.from({ length: 64 }, (_, i) => (x[i * 8] + x[i * 8 + 1] > 0 ? 1 : 0));
    let first = 0, last = 0;
    for (let it = 0; it < 60; it++) {
      model.zeroGrad();
      const { loss, grad } = nn.crossEntropyLoss(model.forward(x, 64), y, 2);
      if (it === 0) first = loss;
      last = loss;
      model.backward(grad, 64);
      opt.step();
    }
    assert.ok(last < first / 4, `loss ${first} -> ${last}`);
  });
});
