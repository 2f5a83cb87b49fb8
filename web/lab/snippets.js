// Section 6: the article's three snippets as written and corrected, with what torch 1.13
// did with each (tests/fixtures/article_snippets.json, from gen_article_snippets.py), and
// the qdq-wasm code of the run the settings on screen describe.

import { OBSERVER_NAMES } from './engine.js';

/**
 * What torch 1.13 did with a snippet, in one sentence.
 * @param {any} c a case of article_snippets.json ('asWritten' or 'corrected')
 * @returns {{ text: string, bad: boolean }}
 */
export function outcome(c) {
  if (!c.snippetRan) return { text: 'torch 1.13 raises before the model is built.', bad: true };
  if (c.unchangedFloatLinear) {
    return { text: `quantize_dynamic returns the float layer unchanged (it swaps child modules only): ${c.quantizedModel.repr}`, bad: true };
  }
  if (!c.call.ok) {
    return { text: `convert() succeeds, then calling the converted model on a float tensor raises: ${c.call.error} (no QuantStub/DeQuantStub).`, bad: true };
  }
  return { text: `Runs: ${c.quantizedModel.repr.replace(/\s+/g, ' ')}`, bad: false };
}

const OBSERVER_CODE = {
  minmax: 'MinMaxObserver', movingavg: 'MovingAverageMinMaxObserver', histogram: 'HistogramObserver',
  percentile: 'PercentileObserver', entropy: 'EntropyObserver',
};

/**
 * The qdq-wasm code of a snippet's workflow with the engine settings s.
 * @param {'static' | 'dynamic' | 'qat'} kind @param {import('./engine.js').Settings} s
 */
export function qdqCode(kind, s) {
  const pc = s.perChannel ?? s.backend !== 'qnnpack';
  const head = `import { init, nn, QuantStub, DeQuantStub, readSafetensors } from 'qdq-wasm';
import * as qdq from 'qdq-wasm';
await init();
const weights = readSafetensors(new Uint8Array(await (await fetch('fashion-mlp-f32.safetensors')).arrayBuffer())).tensors;
const model = new nn.Sequential(new QuantStub(), new nn.Linear(784, 256), new nn.ReLU(),
  new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10), new DeQuantStub())
  .loadStateDict(weights).eval();
`;
  if (kind === 'dynamic') {
    return `${head}const dq = qdq.quantizeDynamic(model, { perChannel: ${s.dynamicPerChannel} });
const logits = dq.forward(images, batch); // float in, float out, int8 weights`;
  }
  const reduce = s.backend === 'fbgemm' && s.aBits === 8;
  const wRange = s.wBits < 8 ? `, quantMin: ${-(2 ** (s.wBits - 1))}, quantMax: ${2 ** (s.wBits - 1) - 1}` : '';
  const fuse = kind === 'qat' || s.fuse;
  const fused = fuse ? `qdq.fuseModules(model${kind === 'qat' ? '.train()' : ''}, [['1', '2'], ['3', '4']])` : 'model';
  if (kind === 'static') {
    const default8 = s.wBits === 8 && s.aBits === 8 && s.observer === 'histogram' && pc === (s.backend !== 'qnnpack');
    const aRange = s.aBits < 8 ? `, quantMin: 0, quantMax: ${2 ** s.aBits - 1}` : '';
    const extra = s.observer === 'percentile' ? ', symmetric: false' : '';
    const qconfig = default8 ? `qdq.getDefaultQConfig('${s.backend}')` : `new qdq.QConfig({
  activation: () => new qdq.${OBSERVER_CODE[/** @type {keyof typeof OBSERVER_CODE} */ (s.observer)]}({ reduceRange: ${reduce}${extra}${aRange} }), // ${OBSERVER_NAMES[/** @type {keyof typeof OBSERVER_NAMES} */ (s.observer)]}
  weight: () => new qdq.${pc ? "PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric'" : "MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric'"}${wRange} }),
})`;
    return `${head}const prepared = qdq.prepare(${fused}, {
  qconfig: ${qconfig},
});
// calibrate: the first ${s.calibration} training images, 100 at a time
for (let i = 0; i < ${s.calibration}; i += 100) {
  const n = Math.min(100, ${s.calibration} - i);
  prepared.forward(trainImages.subarray(i * 784, (i + n) * 784), n);
}
const int8 = qdq.convert(prepared); // int8 from the QuantStub to the DeQuantStub
const logits = int8.forward(images, batch);`;
  }
  const default8 = s.wBits === 8 && s.aBits === 8 && pc === (s.backend !== 'qnnpack');
  const qconfig = default8 ? `qdq.getDefaultQatQConfig('${s.backend}')` : `new qdq.QConfig({
  activation: () => new qdq.FakeQuantize({ dtype: 'uint8', quantMin: 0, quantMax: ${2 ** s.aBits - 1}, reduceRange: ${reduce} }),
  weight: () => new qdq.FakeQuantize({ dtype: 'int8', qscheme: '${pc ? 'per_channel_symmetric' : 'per_tensor_symmetric'}', quantMin: ${-(2 ** (s.wBits - 1))}, quantMax: ${2 ** (s.wBits - 1) - 1} }),
})`;
  return `${head}const qat = qdq.prepareQat(${fused}, {
  qconfig: ${qconfig},
});
const opt = new nn.SGD(qat.parameters(), { lr: ${s.qatLr}, momentum: 0.9 });
for (let epoch = 0; epoch < ${s.qatEpochs}; epoch++) {
  for (const [x, y, n] of shuffledBatches(trainImages, trainLabels, 64)) {
    qat.zeroGrad();
    const { grad } = nn.crossEntropyLoss(qat.forward(x, n), y, 10);
    qat.backward(grad, n);
    opt.step();
  }
}
const int8 = qdq.convert(qat.eval());
const logits = int8.forward(images, batch);`;
}
