// bench/models.js: one float training epoch of the Fashion MLP (SGD lr 0.05, momentum 0.9,
// batch 64, 60,000 images, cross-entropy, as models/train_mlp.py) and int8 inference of the Fashion MLP's 10,000 test images with the converted
// static model (fbgemm qconfig, 1,000 calibration images, fused LinearReLU, as
// bench/torch_mlp.py builds torch's), against torch 1.13's qnnpack on one thread. torch runs in a
// child /usr/bin/python3 (bench/torch_mlp.py --serve) that times one run per request, and the two
// sides alternate run by run: on a machine shared with other jobs the load moves from one second to
// the next, so each pair of runs (ours, then torch's) shares the load of one moment, and each
// speed-up is the median of the pairs' ratios. --runs pairs per inference case (default 10), at most
// 3 pairs of training epochs; one warm-up run of each side first.
//   node bench/models.js [--runs 10]

import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { init, backend, nn, QuantStub, DeQuantStub, getDefaultQConfig, fuseModules, prepare, convert, readSafetensors } from '../js/index.js';
import { loadFashion } from '../scripts/lib/fashion-mnist.js';
import { random, sgdEpoch, shuffledOrder } from '../web/lab/epoch.js';

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

/** Seconds of one run of fn. @param {() => void} fn */
function once(fn) {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

// torch's side: one timed run per line written to its stdin, answered by one JSON line.
const child = spawn('/usr/bin/python3', [new URL('bench/torch_mlp.py', root).pathname, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
const replies = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const next = async () => {
  const r = await replies.next();
  if (r.done) throw new Error('bench/torch_mlp.py --serve exited');
  return JSON.parse(r.value);
};
/** torch's seconds for one run of a case. @param {'train' | 'int8' | 'float' | 'int8b1'} name */
const torchOnce = async (name) => {
  child.stdin.write(`${name}\n`);
  return /** @type {number} */ ((await next()).s);
};
process.stderr.write('starting bench/torch_mlp.py --serve (torch 1.13, one thread)…\n');
const torchInfo = await next();

/**
 * Alternating pairs: ours, then torch's, `count` times after one warm-up of each.
 * @param {() => void} fn @param {'train' | 'int8' | 'float' | 'int8b1'} name @param {number} count
 * @returns {Promise<{ ours: number, torch: number }[]>}
 */
async function pairs(fn, name, count) {
  fn();
  await torchOnce(name);
  const out = [];
  for (let i = 0; i < count; i++) out.push({ ours: once(fn), torch: await torchOnce(name) });
  return out;
}

const inference = {
  int8: await pairs(() => int8.forward(test.images, test.count), 'int8', runs),
  int8Batch1: await pairs(() => { for (let j = 0; j < 1000; j++) int8.forward(test.images.subarray(j * 784, (j + 1) * 784), 1); }, 'int8b1', runs),
  float: await pairs(() => float.forward(test.images, test.count), 'float', runs),
};

/** One epoch from PyTorch-like uniform(±1/√in) weights, in a fixed shuffled order; returns seconds. */
function trainEpoch() {
  const rnd = random(1);
  const m = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
  for (const p of m.parameters()) {
    const bound = 1 / Math.sqrt(p.name === 'weight' ? p.value.length / /** @type {any} */ (p.owner).outFeatures : /** @type {any} */ (p.owner).inFeatures);
    for (let i = 0; i < p.value.length; i++) p.value[i] = (rnd() * 2 - 1) * bound;
    p.owner.markChanged();
  }
  const order = shuffledOrder(train.count, rnd);
  const opt = new nn.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
  m.train();
  const t0 = performance.now();
  for (const _ of sgdEpoch(nn, m, opt, train, order));
  const seconds = (performance.now() - t0) / 1000;
  m.dispose();
  return seconds;
}
const trainRuns = Math.max(1, Math.min(3, runs));
/** @type {{ ours: number, torch: number }[]} */
const training = [];
for (let i = 0; i < trainRuns; i++) {
  const o = trainEpoch();
  process.stderr.write(`training pair ${i + 1}/${trainRuns}: ours ${o.toFixed(2)} s; torch's epoch…\n`);
  training.push({ ours: o, torch: await torchOnce('train') });
}
child.stdin.end();
const median = (/** @type {number[]} */ v) => [...v].sort((a, b) => a - b)[v.length >> 1];

console.log(`Fashion MLP 784-256-128-10, 10,000 test images, one thread; ${os.cpus()[0]?.model}, ` +
  `Node ${process.version} (qdq-wasm ${backend()} build) vs torch ${torchInfo.torch} (${torchInfo.engine}). Inference: ${runs} ` +
  `alternating pairs of single runs; training: ${trainRuns} alternating pairs of one epoch. Times are medians over the pairs; ` +
  'the speed-up is the median of the pairs\' ratios.\n');
console.log('| case | torch | qdq-wasm | speed-up (pairs) |');
console.log('|---|---|---|---|');
const row = (/** @type {string} */ name, /** @type {{ ours: number, torch: number }[]} */ pairs, /** @type {string} */ unit, /** @type {number} */ k) =>
  console.log(`| ${name} | ${(median(pairs.map((p) => p.torch)) * k).toFixed(1)} ${unit} | ${(median(pairs.map((p) => p.ours)) * k).toFixed(1)} ${unit} | ` +
    `${median(pairs.map((p) => p.torch / p.ours)).toFixed(2)}x (${pairs.length > 5 ? `range ${Math.min(...pairs.map((p) => p.torch / p.ours)).toFixed(2)}–` +
      Math.max(...pairs.map((p) => p.torch / p.ours)).toFixed(2) : pairs.map((p) => (p.torch / p.ours).toFixed(2)).join(', ')}) |`);
row('int8 static, one batch of 10k (torch: qnnpack)', inference.int8, 'ms', 1e3);
row('int8 static, batch 1, 1,000 images one by one', inference.int8Batch1, 'ms', 1e3);
row('float, one batch of 10k', inference.float, 'ms', 1e3);
row('float training epoch, batch 64', training, 's', 1);
console.log(`\nload average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(', ')} (${os.cpus().length} CPUs)`);
int8.dispose();
