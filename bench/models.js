// bench/models.js: one float training epoch of the Fashion MLP (SGD lr 0.05, momentum 0.9,
// batch 64, 60,000 images, cross-entropy, as models/train_mlp.py) and int8 inference of the Fashion MLP's 10,000 test images with the converted
// static model (fbgemm qconfig, 1,000 calibration images, fused LinearReLU, as
// bench/torch_mlp.py builds torch's), against torch 1.13's qnnpack on one thread (torch in a child
// /usr/bin/python3). On a machine shared with other jobs the load moves between minutes, so the two
// sides alternate: our inference then torch's, and each of our training epochs followed by one of
// torch's; the speed-up of training is the median of those pairs' ratios. Medians of --runs (default 10;
// training: at most 3 pairs).
//   node bench/models.js [--runs 10]

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { init, backend, nn, QuantStub, DeQuantStub, getDefaultQConfig, fuseModules, prepare, convert, readSafetensors } from '../js/index.js';
import { loadFashion } from '../scripts/lib/fashion-mnist.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;
await init({ numThreads: 1 }); // one thread, as torch.set_num_threads(1)
const root = new URL('../', import.meta.url);
const weights = readSafetensors(readFileSync(new URL('models/fashion-mlp-f32.safetensors', root))).tensors;
const test = loadFashion('t10k'), train = loadFashion('train');

const float = new nn.Sequential(new QuantStub(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(),
  new nn.Linear(128, 10), new DeQuantStub()).loadStateDict(weights).eval();
const prepared = prepare(fuseModules(float, [['1', '2'], ['3', '4']]), { qconfig: getDefaultQConfig('fbgemm') });
for (let i = 0; i < 1000; i += 100) prepared.forward(train.images.subarray(i * 784, (i + 100) * 784), 100);
const int8 = convert(prepared);

/** Median seconds of fn over runs, after one warm-up. @param {() => void} fn */
function timed(fn) {
  fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push((performance.now() - t0) / 1000);
  }
  return t.sort((a, b) => a - b)[t.length >> 1];
}

const ours = {
  int8: timed(() => int8.forward(test.images, test.count)),
  float: timed(() => float.forward(test.images, test.count)),
  int8Batch1: timed(() => { for (let i = 0; i < 1000; i++) int8.forward(test.images.subarray(i * 784, (i + 1) * 784), 1); }),
};

/** bench/torch_mlp.py's JSON. @param {string[]} args */
function torchRun(args) {
  const out = execFileSync('/usr/bin/python3', [new URL('bench/torch_mlp.py', root).pathname, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.slice(0, out.lastIndexOf('}') + 1));
}
process.stderr.write('running bench/torch_mlp.py --only infer (torch 1.13, one thread)…\n');
const torch = torchRun(['--only', 'infer', '--infer-runs', String(runs)]);

/** One epoch from PyTorch-like uniform(±1/√in) weights, in a fixed shuffled order; returns seconds. */
function trainEpoch() {
  let s = 1;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const m = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
  for (const p of m.parameters()) {
    const bound = 1 / Math.sqrt(p.name === 'weight' ? p.value.length / /** @type {any} */ (p.owner).outFeatures : /** @type {any} */ (p.owner).inFeatures);
    for (let i = 0; i < p.value.length; i++) p.value[i] = (rnd() * 2 - 1) * bound;
    p.owner.markChanged();
  }
  const order = Array.from({ length: train.count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const opt = new nn.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
  const xb = new Float32Array(64 * 784), yb = new Uint8Array(64);
  m.train();
  const t0 = performance.now();
  for (let st = 0; st < order.length; st += 64) {
    const n = Math.min(64, order.length - st);
    for (let i = 0; i < n; i++) {
      xb.set(train.images.subarray(order[st + i] * 784, (order[st + i] + 1) * 784), i * 784);
      yb[i] = train.labels[order[st + i]];
    }
    m.zeroGrad();
    const { grad } = nn.crossEntropyLoss(m.forward(xb.subarray(0, n * 784), n), yb.subarray(0, n), 10);
    m.backward(grad, n);
    opt.step();
  }
  const seconds = (performance.now() - t0) / 1000;
  m.dispose();
  return seconds;
}
const trainRuns = Math.max(1, Math.min(3, runs));
/** @type {{ ours: number, torch: number }[]} */
const pairs = [];
for (let i = 0; i < trainRuns; i++) {
  const o = trainEpoch();
  process.stderr.write(`training pair ${i + 1}/${trainRuns}: ours ${o.toFixed(2)} s; torch's epoch (~20 s)…\n`);
  pairs.push({ ours: o, torch: torchRun(['--only', 'train', '--train-runs', '1']).results.train_epoch_s.median });
}
const median = (/** @type {number[]} */ v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const r = torch.results;

console.log(`Fashion MLP 784-256-128-10, 10,000 test images, one thread, medians of ${runs}; ${os.cpus()[0]?.model}, ` +
  `Node ${process.version} (qdq-wasm ${backend()} build) vs torch ${torch.info.torch} (${torch.info.engine})\n`);
console.log('| case | torch | qdq-wasm | speed-up |');
console.log('|---|---|---|---|');
const row = (/** @type {string} */ name, /** @type {number} */ t, /** @type {number} */ q, /** @type {string} */ unit, /** @type {number} */ k) =>
  console.log(`| ${name} | ${(t * k).toFixed(1)} ${unit} | ${(q * k).toFixed(1)} ${unit} | ${(t / q).toFixed(2)}x |`);
row('int8 static, one batch of 10k (torch: qnnpack)', r.int8_10k_batch_s.median, ours.int8, 'ms', 1e3);
row('int8 static, batch 1, 1,000 images one by one', r.int8_batch1_us.median / 1e3, ours.int8Batch1, 'ms', 1e3);
row('float, one batch of 10k', r.float_10k_batch_s.median, ours.float, 'ms', 1e3);
const trainRow = `float training epoch, batch 64 (median of ${trainRuns} alternating pairs)`;
console.log(`| ${trainRow} | ${median(pairs.map((p) => p.torch)).toFixed(1)} s | ${median(pairs.map((p) => p.ours)).toFixed(1)} s | ` +
  `${median(pairs.map((p) => p.torch / p.ours)).toFixed(2)}x (pairs: ${pairs.map((p) => (p.torch / p.ours).toFixed(2)).join(', ')}) |`);
console.log(`\nload average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(', ')} (${os.cpus().length} CPUs)`);
int8.dispose();
