// npm run models: the accuracy-efficiency table of the Fashion MLP on the 10,000
// Fashion-MNIST test images, every number computed by qdq-wasm, with PyTorch 1.13's
// accuracy for the same float weights and settings from tests/fixtures/models.json.
// Calibration: the first N training images in batches of 100 (as gen_models.py).
// Progress goes to stderr, the table to stdout (Markdown).

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  init, backend, nn, QuantStub, DeQuantStub, QConfig, getDefaultQConfig, getMinMaxQConfig, fuseModules, prepare,
  convert, quantizeDynamic, readSafetensors, getDefaultQatQConfig, prepareQat, MinMaxObserver, PerChannelMinMaxObserver, PercentileObserver, EntropyObserver,
} from '../js/index.js';
import { argmax, loadFashion } from './lib/fashion-mnist.js';
import { random, sgdEpoch, shuffledOrder } from '../web/lab/epoch.js';

await init();
const root = new URL('../', import.meta.url);
const torchRows = JSON.parse(readFileSync(new URL('tests/fixtures/models.json', root), 'utf8')).rows;
const weights = readSafetensors(readFileSync(new URL('models/fashion-mlp-f32.safetensors', root))).tensors;
const FUSE = [['1', '2'], ['3', '4']];
const CALIB_BATCH = 100;

/** @param {string} label @param {number} done @param {number} total */
function progress(label, done, total) {
  if (!process.stderr.isTTY && done !== total) return;
  const width = 30, filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label.padEnd(34)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
}

process.stderr.write('reading Fashion-MNIST…\n');
const test = loadFashion('t10k');
const train = loadFashion('train');

function floatModel() {
  return new nn.Sequential(new QuantStub(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(),
    new nn.Linear(128, 10), new DeQuantStub()).loadStateDict(weights).eval();
}

/** Predictions on the 10k test images in batches of 1000, and the time of the whole pass. */
function predict(/** @type {nn.Module} */ model) {
  const preds = new Uint8Array(test.count);
  const t0 = performance.now();
  for (let i = 0; i < test.count; i += 1000) {
    const n = Math.min(1000, test.count - i);
    preds.set(argmax(model.forward(test.images.subarray(i * 784, (i + n) * 784), n), 10), i);
  }
  return { preds, seconds: (performance.now() - t0) / 1000 };
}

/** Median batch-1 latency over 300 single images (after 30 warm-up calls), in ms. */
function latency(/** @type {nn.Module} */ model) {
  const times = [];
  for (let i = 0; i < 330; i++) {
    const x = test.images.subarray(i * 784, (i + 1) * 784);
    const t0 = performance.now();
    model.forward(x, 1);
    if (i >= 30) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** Activation observers by name, for a backend: reduceRange as its default qconfig. */
const OBSERVERS = {
  minmax: (/** @type {string} */ b) => getMinMaxQConfig(/** @type {any} */ (b)),
  histogram: (/** @type {string} */ b) => getDefaultQConfig(/** @type {any} */ (b)),
  percentile: (/** @type {string} */ b) => withActivation(b, () => new PercentileObserver({ reduceRange: b === 'fbgemm', symmetric: false })),
  entropy: (/** @type {string} */ b) => withActivation(b, () => new EntropyObserver({ reduceRange: b === 'fbgemm' })),
};

/** The backend's default weights with another activation observer. */
function withActivation(/** @type {string} */ b, /** @type {() => any} */ activation) {
  const weight = b === 'qnnpack'
    ? () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' })
    : () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric' });
  return new QConfig({ activation, weight });
}

const float = floatModel();
const floatRun = predict(float);
/** @type {Record<string, any>[]} */
const rows = [];

/** Measures a model and adds its row. */
function measure(/** @type {string} */ name, /** @type {nn.Module} */ model, /** @type {Record<string, any>} */ torchKey) {
  const { preds, seconds } = predict(model);
  let correct = 0, agree = 0;
  for (let i = 0; i < test.count; i++) {
    correct += preds[i] === test.labels[i] ? 1 : 0;
    agree += preds[i] === floatRun.preds[i] ? 1 : 0;
  }
  const torch = torchRows.find((/** @type {any} */ r) => Object.entries(torchKey).every(([k, v]) => r[k] === v));
  rows.push({
    name, accuracy: correct / test.count, agreement: agree / test.count, bytes: model.byteLength(),
    latency: latency(model), throughput: test.count / seconds, torch: torch ? torch.accuracy : null,
  });
}

measure('float', float, { kind: 'float' });
for (const perChannel of [false, true]) {
  const dq = quantizeDynamic(float, { perChannel });
  measure(`dynamic ${perChannel ? 'per-channel' : 'per-tensor'}`, dq, { kind: 'dynamic', perChannel });
  dq.dispose();
}
const steps = 2 * Object.keys(OBSERVERS).length * 3;
let step = 0;
for (const backendName of ['fbgemm', 'qnnpack']) {
  for (const [observer, qconfigOf] of Object.entries(OBSERVERS)) {
    for (const n of [10, 100, 1000]) {
      progress('static: calibrate, convert, measure', step++, steps);
      const prepared = prepare(fuseModules(float, FUSE), { qconfig: qconfigOf(backendName) });
      for (let i = 0; i < n; i += CALIB_BATCH) {
        const b = Math.min(CALIB_BATCH, n - i);
        prepared.forward(train.images.subarray(i * 784, (i + b) * 784), b);
      }
      const int8 = convert(prepared);
      prepared.dispose();
      measure(`static ${backendName} ${observer} ${n}`, int8, { kind: 'static', qconfig: backendName, observer, calibrationImages: n });
      int8.dispose();
    }
  }
}
progress('static: calibrate, convert, measure', steps, steps);

// QAT: one epoch from the float weights, as gen_models.py (fused, the backend's default QAT qconfig,
// SGD lr 0.001, momentum 0.9, batch 64); our shuffle is not torch.randperm's, so the rows compare
// settings, not identical runs.
for (const backendName of ['fbgemm', 'qnnpack']) {
  const qat = prepareQat(fuseModules(floatModel().train(), FUSE), { qconfig: getDefaultQatQConfig(/** @type {any} */ (backendName)) });
  const opt = new nn.SGD(qat.parameters(), { lr: 0.001, momentum: 0.9 });
  const order = shuffledOrder(train.count, random(1));
  for (const { start } of sgdEpoch(nn, qat, opt, train, order)) {
    if ((start / 64) % 50 === 0) progress(`QAT ${backendName}: one epoch`, start, order.length);
  }
  progress(`QAT ${backendName}: one epoch`, order.length, order.length);
  const int8 = convert(qat.eval());
  measure(`QAT ${backendName} (1 epoch)`, int8, { kind: 'qat', qconfig: backendName });
  int8.dispose();
}

const pct = (/** @type {number} */ v) => `${(100 * v).toFixed(2)}%`;
console.log(`Fashion-MNIST MLP 784-256-128-10, ${test.count} test images; qdq-wasm ${backend()} build, Node ${process.version}, ` +
  `${os.cpus()[0]?.model ?? 'unknown CPU'}, one thread. PyTorch 1.13 column: tests/fixtures/models.json (qnnpack engine).\n`);
console.log('| model | accuracy | PyTorch accuracy | agreement with float | bytes | batch-1 latency (ms) | 10k throughput (images/s) |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${pct(r.accuracy)} | ${r.torch === null ? '–' : pct(r.torch)} | ${pct(r.agreement)} | ${r.bytes} | ` +
    `${r.latency.toFixed(3)} | ${Math.round(r.throughput)} |`);
}
