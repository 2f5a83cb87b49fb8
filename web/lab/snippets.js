// Section 6: the article's three snippets as written and corrected, with what torch 1.13
// did with each (tests/fixtures/article_snippets.json, from gen_article_snippets.py), and
// the qdq-wasm code of the run the settings on screen describe. Weight-only has no article
// snippet and no torch 1.13 counterpart: its PyTorch side is torchao's, shown and not run.

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
 * The PyTorch side of the weight-only snippet. torch 1.13 has no weight-only Linear (its
 * quantize_dynamic quantizes the activations too, and takes qint8 or float16 weights only), so this
 * is torchao's analogue, with what differs from the lab's run in its comments; nothing runs it here.
 * @param {Pick<import('./engine.js').Settings, 'woBits' | 'woBlockSize' | 'woSymmetric'>} s
 * @returns {{ asWritten: string, corrected: string, asWrittenOutcome: string, correctedOutcome: string }}
 */
export function weightOnlyTorch(s) {
  const fn = s.woBits === 4 ? 'int4_weight_only' : 'int8_weight_only';
  // torchao's int4 takes group sizes 32 to 256; its nearest to the lab's 16 is 32.
  const group = s.woBits === 4 ? Math.max(32, s.woBlockSize) : s.woBlockSize;
  const scheme = s.woBits === 4
    ? `# torchao's int4 groups are asymmetric with a float zero point (tinygemm's); the lab's are ${s.woSymmetric ? 'symmetric' : 'asymmetric with\n# integer zero points'} (onnxruntime's MLAS quantizer), so the two round a little differently.`
    : `# torchao's int8 groups are symmetric (a scale each)${s.woSymmetric ? ', as the lab\'s here' : '; the lab\'s here are asymmetric, with integer zero points'}.`;
  const small = group !== s.woBlockSize ? `\n# torchao's int4 takes group sizes 32 to 256: no group of ${s.woBlockSize}, so 32 is the nearest.` : '';
  return {
    asWritten: '# The article has no weight-only snippet (its three are static, dynamic and QAT).',
    corrected: `# torch 1.13 has no 4-bit Linear, nor an integer weight-only one: quantize_dynamic's qint8 Linear
# quantizes the activations too. The analogue is torchao's (a later PyTorch than 1.13):
from torchao.quantization import quantize_, ${fn}
quantize_(model, ${fn}(group_size=${group}))  # ${s.woBits === 4 ? 'Int4WeightOnlyConfig' : 'Int8WeightOnlyConfig'}(group_size=${group}) in later torchao
${scheme}${small}`,
    asWrittenOutcome: 'The article has no weight-only snippet.',
    correctedOutcome: 'Not run here: torchao needs a later PyTorch than 1.13, the lab\'s reference. The lab quantizes as onnxruntime\'s MatMulNBits tools do (docs/blockwise.md).',
  };
}

/**
 * The qdq-wasm code of a snippet's workflow with the engine settings s.
 * @param {'static' | 'dynamic' | 'weight-only' | 'qat'} kind @param {import('./engine.js').Settings} s
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
  if (kind === 'weight-only') {
    return `${head}const wo = qdq.quantizeDynamic(model, {
  qconfig: qdq.getWeightOnlyQConfig({ bits: ${s.woBits}, blockSize: ${s.woBlockSize}, symmetric: ${s.woSymmetric} }),
});
const logits = wo.forward(images, batch); // float in, float out: int${s.woBits} block weights, float activations`;
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
