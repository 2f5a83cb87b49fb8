// One pass of mini-batch SGD over a Fashion-MNIST split, shared by the lab's
// worker, `npm run models` and bench/models.js, so that all three train the
// same way: a seeded Park–Miller stream for shuffles (and initial weights),
// Fisher–Yates order, batches copied out of the split, softmax cross-entropy.

/** Seeded uniform [0, 1) (Park–Miller), so shuffles and initial weights repeat. @param {number} seed */
export function random(seed) {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** 0..count-1 in a Fisher–Yates order drawn from rnd. @param {number} count @param {() => number} rnd */
export function shuffledOrder(count, rnd) {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  return order;
}

/**
 * One epoch in the given order: per batch, zeroGrad, forward, cross-entropy, backward, opt.step();
 * yields after each step what callers report (the logits are the forward's own copy).
 * @param {{ crossEntropyLoss: (logits: Float32Array, labels: Uint8Array, classes: number) => { loss: number, grad: Float32Array } }} nn
 * @param {any} model in training mode @param {{ step(): void }} opt
 * @param {{ images: Float32Array, labels: Uint8Array }} split images [count, 784]
 * @param {number[]} order @param {number} [batch]
 * @returns {Generator<{ start: number, n: number, logits: Float32Array, labels: Uint8Array, loss: number }>}
 */
export function* sgdEpoch(nn, model, opt, split, order, batch = 64) {
  const xb = new Float32Array(batch * 784), yb = new Uint8Array(batch);
  for (let start = 0; start < order.length; start += batch) {
    const n = Math.min(batch, order.length - start);
    for (let i = 0; i < n; i++) {
      xb.set(split.images.subarray(order[start + i] * 784, (order[start + i] + 1) * 784), i * 784);
      yb[i] = split.labels[order[start + i]];
    }
    model.zeroGrad();
    const logits = model.forward(xb.subarray(0, n * 784), n);
    const labels = yb.subarray(0, n);
    const { loss, grad } = nn.crossEntropyLoss(logits, labels, 10);
    model.backward(grad, n);
    opt.step();
    yield { start, n, logits, labels, loss };
  }
}
