// The model lab's engine (web/lab/engine.js), its data parsing and URL state, in Node with the
// library: its rows against torch 1.13's predictions for the same weights and settings
// (tests/fixtures/fashion_mlp_torch.safetensors, whose first 2,000 test images are the subset's),
// calibration progress, bit widths (weight-only points among them), QAT, cancel, and the look inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { qdq } from '../helpers/setup.js';
import { parseIdx, NORMALIZE } from '../../web/lab/data.js';
import { blockZeroPoint, Cancelled, DEFAULTS, Lab, staticQConfig, weightRange } from '../../web/lab/engine.js';
import { defaults, engineSettings, fromQuery, toQuery } from '../../web/lab/state.js';
import { outcome, qdqCode, weightOnlyTorch } from '../../web/lab/snippets.js';

const dir = new URL('../fixtures/fashion-mnist-subset/', import.meta.url);
const gz = (/** @type {string} */ f) => new Uint8Array(gunzipSync(readFileSync(new URL(f, dir))));
const split = (/** @type {string} */ s) => parseIdx(gz(`${s}-images-idx3-ubyte.gz`), gz(`${s}-labels-idx1-ubyte.gz`));
const train = split('train'), testSet = split('t10k');
const weights = qdq.readSafetensors(readFileSync(new URL('../../models/fashion-mlp-f32.safetensors', import.meta.url))).tensors;
const torch = qdq.readSafetensors(readFileSync(new URL('../fixtures/fashion_mlp_torch.safetensors', import.meta.url))).tensors;
const lab = new Lab(qdq, { train, test: testSet, weights });

/** torch's predictions of a fixture row on the subset's test images. @param {string} prefix */
const torchPreds = (prefix) => /** @type {Uint8Array} */ (torch.get(`${prefix}/pred`)?.data).subarray(0, testSet.count);
/** @param {Uint8Array} preds */
const correctOf = (preds) => preds.reduce((n, p, i) => n + (p === testSet.labels[i] ? 1 : 0), 0);

test('lab data', async (t) => {
  await t.test('should read the committed subset: 2,000 images each, normalized as scripts/lib/fashion-mnist.js', () => {
    assert.equal(train.count, 2000);
    assert.equal(testSet.count, 2000);
    assert.equal(testSet.images[0], NORMALIZE[testSet.pixels[0]]);
    assert.deepEqual(Array.from(testSet.labels.subarray(0, 5)), [9, 2, 1, 1, 6]);
  });
  await t.test('should refuse files that are not IDX or are shorter than their header', () => {
    const img = gz('t10k-images-idx3-ubyte.gz'), lab1 = gz('t10k-labels-idx1-ubyte.gz');
    assert.throws(() => parseIdx(lab1, lab1), /not an IDX file of 28×28 images/);
    assert.throws(() => parseIdx(img, img), /not an IDX label file/);
    assert.throws(() => parseIdx(img.subarray(0, 16 + 784 * 10), lab1), /shorter than its header/);
  });
});

test('Lab rows against torch 1.13', async (t) => {
  await t.test('should give the float model torch\'s predictions on every subset test image', () => {
    const row = lab.runFloat();
    assert.deepEqual(lab.lastPreds, torchPreds('float'));
    assert.equal(row.correct, correctOf(torchPreds('float')));
    assert.equal(row.agreement, 1);
    assert.equal(row.bytes, 4 * (784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10));
    assert.equal(row.gallery.length, 0);
  });
  for (const [backend, observer, calibration] of /** @type {const} */ ([['fbgemm', 'histogram', 100], ['qnnpack', 'histogram', 1000], ['qnnpack', 'minmax', 10]])) {
    await t.test(`should give static ${backend} ${observer} ${calibration} torch's predictions on every image (fused, bit-exact int8)`, async () => {
      const row = await lab.runStatic({ ...DEFAULTS, backend, observer, calibration });
      assert.deepEqual(lab.lastPreds, torchPreds(`static/${backend}/${observer}/${calibration}`));
      assert.equal(row.workflow, 'static');
      assert.deepEqual(row.settings, { backend, fuse: true, observer, calibration, wBits: 8, aBits: 8, perChannel: backend === 'fbgemm' });
    });
  }
  await t.test("should give static fbgemm minmax 1000 torch's predictions but for at most one image", async () => {
    // Calibration runs the float model, whose outputs differ from torch's sgemm by float32 accumulation
    // order; a MinMax observer keeps the extreme value itself, so its range can move by ulps
    // (tests/unit/models.test.js): here that moves one prediction.
    await lab.runStatic({ ...DEFAULTS, observer: 'minmax', calibration: 1000 });
    const want = torchPreds('static/fbgemm/minmax/1000');
    assert.ok(lab.lastPreds.filter((p, i) => p !== want[i]).length <= 1);
  });
  await t.test("should give dynamic rows torch's predictions but for a few images", () => {
    // Dynamic quantization picks each activation range per call: torch predicted the 10,000 test images
    // in one batch, the lab in batches of 500, so activation scales differ and 4 (per tensor) and 7 (per
    // channel) of the 2,000 predictions move; 10 bounds that.
    for (const perChannel of [false, true]) {
      const row = lab.runDynamic({ dynamicPerChannel: perChannel });
      const want = torchPreds(`dynamic/${perChannel ? 'per_channel' : 'per_tensor'}`);
      const moved = lab.lastPreds.filter((p, i) => p !== want[i]).length;
      assert.ok(moved <= 10, `${moved} predictions differ`);
      assert.ok(row.agreement > 0.99);
    }
  });
});

test('Lab static runs', async (t) => {
  lab.runFloat();
  await t.test('should report observed ranges that only widen while MinMax calibrates, then the clipping range', async () => {
    /** @type {any[]} */
    const seen = [];
    await lab.runStatic({ ...DEFAULTS, observer: 'minmax', calibration: 350 }, { progress: (m) => seen.push(m) });
    assert.deepEqual(seen.map((m) => m.done), [100, 200, 300, 350, 350]);
    for (let i = 1; i < 4; i++) {
      for (let l = 0; l < 4; l++) {
        assert.ok(seen[i].layers[l].min <= seen[i - 1].layers[l].min && seen[i].layers[l].max >= seen[i - 1].layers[l].max);
      }
    }
    const final = seen[4];
    assert.ok(final.final);
    for (const l of final.layers) {
      // reduceRange (fbgemm): the observer fits codes [0, 127] over the observed range, widened to hold 0;
      // the converted model clips to uint8's [0, 255] with that scale and zero point, twice as far.
      assert.deepEqual([l.fitCodes, l.codes], [[0, 127], [0, 255]]);
      assert.deepEqual(l.fitted, [(0 - l.zeroPoint) * l.scale, (127 - l.zeroPoint) * l.scale]);
      assert.deepEqual(l.clip, [(0 - l.zeroPoint) * l.scale, (255 - l.zeroPoint) * l.scale]);
      assert.ok(l.fitted[0] <= Math.min(0, l.min) + l.scale && l.fitted[1] >= l.max - l.scale);
    }
    // The scale and zero point shown are the converted model's.
    const fc2 = /** @type {any} */ (lab.last).model.modules[3].layer;
    assert.deepEqual([final.layers[2].scale, final.layers[2].zeroPoint], [fc2.outputScale, fc2.outputZeroPoint]);
  });
  await t.test('should change the result with the observer and the calibration size', async () => {
    const a = await lab.runStatic({ ...DEFAULTS, observer: 'minmax', calibration: 1 });
    const predsA = lab.lastPreds;
    const b = await lab.runStatic({ ...DEFAULTS, observer: 'minmax', calibration: 1000 });
    const predsB = lab.lastPreds;
    const c = await lab.runStatic({ ...DEFAULTS, observer: 'entropy', calibration: 1000 });
    assert.notDeepEqual(predsA, predsB);
    assert.notDeepEqual(predsB, lab.lastPreds);
    assert.notEqual(a.label, b.label);
    assert.ok([a, b, c].every((r) => r.agreement > 0.95 && r.agreement < 1));
  });
  await t.test('should lose accuracy at 4 and 2 bits, and recover part of it with per-channel weights at 2', async () => {
    const f = lab.runFloat().accuracy;
    const s8 = await lab.runStatic({ ...DEFAULTS, observer: 'minmax' });
    const s4 = await lab.runStatic({ ...DEFAULTS, observer: 'minmax', wBits: 4, aBits: 4 });
    const t2 = await lab.runStatic({ ...DEFAULTS, observer: 'minmax', wBits: 2, aBits: 2, perChannel: false });
    const c2 = await lab.runStatic({ ...DEFAULTS, observer: 'minmax', wBits: 2, aBits: 2, perChannel: true });
    assert.ok(Math.abs(s8.accuracy - f) < 0.02);
    assert.ok(s4.accuracy < s8.accuracy - 0.03, `4 bits: ${s4.accuracy}`);
    assert.ok(t2.accuracy < 0.3, `2 bits per tensor: ${t2.accuracy}`);
    assert.ok(c2.accuracy > t2.accuracy + 0.1, `2 bits per channel: ${c2.accuracy}`);
    assert.match(t2.label, /W2\/A2, per-tensor$/);
    assert.equal(c2.settings.perChannel, true);
  });
  await t.test('should build qconfigs whose observers take the bit widths', () => {
    const qc = staticQConfig(qdq, { ...DEFAULTS, observer: 'percentile', wBits: 3, aBits: 5 });
    const a = /** @type {any} */ (qc.activation()), w = /** @type {any} */ (qc.weight());
    assert.deepEqual([a.quantMin, a.quantMax, w.quantMin, w.quantMax], [0, 31, -4, 3]);
    assert.deepEqual(weightRange(2), [-2, 1]);
    const d = /** @type {any} */ (staticQConfig(qdq, DEFAULTS).activation());
    assert.deepEqual([d.constructor.name, d.quantMin, d.quantMax], ['HistogramObserver', 0, 127]);
  });
});

test('Lab QAT, training and cancel', async (t) => {
  await t.test('should recover part of the 4-bit loss with one epoch of QAT, reporting every step', async () => {
    lab.runFloat();
    const s4 = await lab.runStatic({ ...DEFAULTS, wBits: 4, aBits: 4 });
    /** @type {any[]} */
    const curve = [];
    const q4 = await lab.runQat({ ...DEFAULTS, wBits: 4, aBits: 4 }, { progress: (m) => curve.push(m) });
    assert.equal(curve.length, Math.ceil(2000 / 64));
    assert.ok(curve.every((m, i) => m.type === 'curve' && m.step === i + 1 && Number.isFinite(m.loss)));
    assert.ok(q4.accuracy > s4.accuracy + 0.01, `QAT ${q4.accuracy} vs static ${s4.accuracy}`);
    assert.equal(q4.workflow, 'qat');
    // The fake-quantize trained with codes 0..15; the converted model clips to uint8's 0..255 at its scale.
    const inside = /** @type {any} */ (lab.inspect());
    for (const l of inside.layers) {
      assert.deepEqual([l.activation.codes, l.activation.fitCodes, l.activation.grid.length], [[0, 255], [0, 15], 256]);
    }
    const fc1 = /** @type {any} */ (lab.last).model.modules[1].layer;
    assert.deepEqual([inside.layers[0].activation.scale, inside.layers[0].activation.grid[255]],
      [fc1.outputScale, Math.fround((255 - fc1.outputZeroPoint) * fc1.outputScale)]);
  });
  await t.test('should stop a run at the first tick after a cancel, leaving the float model as it was', async () => {
    const before = lab.floatPreds;
    let ticks = 0;
    await assert.rejects(lab.trainFloat(DEFAULTS, { tick: async () => { if (++ticks === 3) throw new Cancelled(); } }), Cancelled);
    assert.equal(ticks, 3);
    assert.equal(lab.floatPreds, before);
    assert.equal(lab.floatSource, 'committed');
  });
  await t.test('should cancel calibration and QAT too, and run normally after', async () => {
    const cancelAt = (/** @type {number} */ n) => {
      let ticks = 0;
      return { tick: async () => { if (++ticks === n) throw new Cancelled(); } };
    };
    await assert.rejects(lab.runStatic({ ...DEFAULTS, calibration: 500 }, cancelAt(2)), Cancelled);
    await assert.rejects(lab.runQat(DEFAULTS, cancelAt(5)), Cancelled);
    const row = await lab.runStatic(DEFAULTS);
    assert.equal(row.correct, correctOf(torchPreds('static/fbgemm/histogram/100')));
  });
  await t.test('should sweep bit widths: static per tensor and per channel, QAT, and weight-only at 4 and 8 only, one point each', async () => {
    lab.runFloat();
    /** @type {any[]} */
    const seen = [];
    // The weight-only control's own bits (8) are not the sweep's: each weight-only point takes its width.
    const s = { ...DEFAULTS, observer: 'minmax', woBits: /** @type {const} */ (8), woBlockSize: /** @type {const} */ (64), woSymmetric: true };
    const points = await lab.bitSweep(s, [8, 3, 4], { progress: (m) => seen.push(m) });
    const wo = 'weight-only, float activations (block 64, symmetric)';
    assert.deepEqual(points.map((p) => [p.bits, p.series, p.activationBits]), [
      [8, 'static per-tensor', 8], [8, 'static per-channel', 8], [8, 'QAT per-channel', 8], [8, wo, null],
      [3, 'static per-tensor', 3], [3, 'static per-channel', 3], [3, 'QAT per-channel', 3],
      [4, 'static per-tensor', 4], [4, 'static per-channel', 4], [4, 'QAT per-channel', 4], [4, wo, null],
    ]);
    // 3 runs a width, and one more at each width weight-only takes: 3 · 3 + 2.
    assert.deepEqual(seen.map((m) => [m.type, m.done, m.total]), points.map((_, i) => ['bits', i + 1, 11]));
    assert.deepEqual(seen.map((m) => m.point), points);
    const at = (/** @type {number} */ b, /** @type {string} */ series) => /** @type {number} */ (points.find((p) => p.bits === b && p.series === series)?.accuracy);
    const [tensor, channel, qat] = ['static per-tensor', 'static per-channel', 'QAT per-channel'].map((series) => at(3, series));
    // The same runs as runStatic() (its rows are tested against torch above), 3 bits each
    assert.equal(tensor, (await lab.runStatic({ ...DEFAULTS, observer: 'minmax', wBits: 3, aBits: 3, perChannel: false })).accuracy);
    assert.equal(channel, (await lab.runStatic({ ...DEFAULTS, observer: 'minmax', wBits: 3, aBits: 3, perChannel: true })).accuracy);
    assert.ok(tensor < 0.7 && channel > tensor && qat > channel, JSON.stringify(points));
    // The weight-only points: the library's own quantizeDynamic with the same qconfig, on a model built here
    // from the committed weights, every test image in one forward call.
    for (const bits of /** @type {const} */ ([4, 8])) {
      const float = new qdq.nn.Sequential(new qdq.QuantStub(), new qdq.nn.Linear(784, 256), new qdq.nn.ReLU(), new qdq.nn.Linear(256, 128),
        new qdq.nn.ReLU(), new qdq.nn.Linear(128, 10), new qdq.DeQuantStub()).loadStateDict(weights).eval();
      const model = qdq.quantizeDynamic(float, { qconfig: qdq.getWeightOnlyQConfig({ bits, blockSize: 64, symmetric: true }) });
      const y = model.forward(testSet.images, testSet.count);
      const preds = Uint8Array.from({ length: testSet.count }, (_, i) => {
        let best = 0;
        for (let j = 1; j < 10; j++) if (y[i * 10 + j] > y[i * 10 + best]) best = j;
        return best;
      });
      assert.equal(at(bits, wo), correctOf(preds) / testSet.count, `${bits} bits`);
      float.dispose();
      model.dispose();
    }
    // The chart's point: at 4 bits, block weights with float activations stay within a point of float (0.876) where
    // static, its activations on 16 codes too, loses several (shipped subset: 81.4% with MinMax).
    assert.ok(Math.abs(at(4, wo) - 0.876) < 0.01 && at(4, wo) > at(4, 'static per-tensor') + 0.03, JSON.stringify(points));
  });
  await t.test('should give the sweep\'s weight-only series the block size and symmetry of the settings', async () => {
    const points = await lab.bitSweep(DEFAULTS, [4]);
    assert.equal(points[3].series, 'weight-only, float activations (block 32)');
    assert.equal(points[3].accuracy, lab.weightOnlyAccuracy({ woBits: 4, woBlockSize: 32, woSymmetric: false }));
  });
  await t.test('should train the float model from random weights to well above chance, test accuracy each epoch', async () => {
    /** @type {any[]} */
    const epochs = [];
    const row = await lab.trainFloat({ trainEpochs: 2, trainLr: 0.05 }, { progress: (m) => { if (m.type === 'epoch') epochs.push(m); } });
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2]);
    assert.equal(epochs[1].testAccuracy, row.accuracy);
    assert.ok(row.accuracy > 0.6, `trained float: ${row.accuracy}`);
    assert.equal(lab.floatSource, 'trained');
    lab.runFloat();
  });
});

test('Lab.inspect', async (t) => {
  await t.test('should give per-layer SQNR that falls about 6 dB a bit, and name the worst layer', async () => {
    lab.runFloat();
    await lab.runStatic({ ...DEFAULTS, observer: 'minmax' });
    const i8 = /** @type {any} */ (lab.inspect());
    await lab.runStatic({ ...DEFAULTS, observer: 'minmax', wBits: 4, aBits: 8 });
    const i4 = /** @type {any} */ (lab.inspect());
    assert.deepEqual(i8.layers.map((/** @type {any} */ l) => l.name), ['fc1', 'fc2', 'fc3']);
    for (let l = 0; l < 3; l++) {
      const drop = i8.layers[l].weight.sqnr - i4.layers[l].weight.sqnr;
      // 4 fewer bits: 24 dB in theory for uniform error; allow for the weights' shape
      assert.ok(drop > 18 && drop < 30, `${i8.layers[l].name}: ${drop} dB`);
      assert.ok(i8.layers[l].activation.sqnr > 20);
      assert.equal(i8.layers[l].weight.values.length, [784 * 256, 256 * 128, 128 * 10][l]);
      assert.equal(i8.layers[l].activation.values.length, 256 * [256, 128, 10][l]);
    }
    const worst = i4.layers.reduce((a, b) => (b.activation.sqnr < a.activation.sqnr ? b : a));
    assert.equal(i4.worst, worst.name);
  });
  await t.test('should compare with the same weights the quantized layers were built from (SQNR of a weight re-derived by hand)', () => {
    const r = /** @type {any} */ (lab.inspect());
    const ql = /** @type {any} */ (lab.last).model.modules[1].layer;
    const w = /** @type {Float32Array} */ (/** @type {any} */ (weights).get('1.weight').data);
    let sx = 0, se = 0;
    for (let i = 0; i < w.length; i++) {
      const d = Math.fround(ql.weight[i] * ql.weightScales[Math.floor(i / 784)]);
      sx += w[i] * w[i];
      se += (w[i] - d) ** 2;
    }
    assert.ok(Math.abs(r.layers[0].weight.sqnr - 10 * Math.log10(sx / se)) < 1e-6);
  });
  await t.test('should give each layer the grid its quantized model uses: every code dequantized, ending at the clipping range', async () => {
    /** @type {any[]} */
    const final = [];
    await lab.runStatic({ ...DEFAULTS, observer: 'minmax', aBits: 4, calibration: 1 }, { progress: (m) => { if (m.final) final.push(...(/** @type {any} */ (m).layers)); } });
    const r = /** @type {any} */ (lab.inspect());
    // What the converted model emits on the same 256 test images: its output codes per layer.
    let a = /** @type {any} */ (testSet.images.subarray(0, 256 * 784));
    /** @type {number[]} */
    const maxCode = [];
    const model = /** @type {any} */ (lab.last).model;
    for (let i = 0; i < 6; i++) {
      a = model.modules[i].forward(a, 256);
      if (i % 2 === 1) maxCode.push(a.data.reduce((/** @type {number} */ m, /** @type {number} */ v) => Math.max(m, v), 0));
    }
    r.layers.forEach((/** @type {any} */ l, /** @type {number} */ k) => {
      // Activations: the observer fits its scale to codes 0..15 (4 bits), but the converted model clips to uint8's
      // 0..255 (as torch 1.13's convert), so the grid drawn and the ranges table's clip end at code 255.
      const ranges = final.find((x) => x.name === l.name);
      assert.deepEqual([l.activation.codes, l.activation.fitCodes, ranges.codes, ranges.fitCodes], [[0, 255], [0, 15], [0, 255], [0, 15]]);
      assert.equal(l.activation.grid.length, 256);
      assert.equal(l.activation.scale, ranges.scale);
      assert.deepEqual([l.activation.grid[0], l.activation.grid[255]], ranges.clip.map(Math.fround));
      assert.deepEqual([l.activation.grid[0], l.activation.grid[15]], ranges.fitted.map(Math.fround));
      // Calibrated on one image, the model's codes on 256 test images go past 15: the fit is not where it clips.
      assert.ok(maxCode[k] > 15 && maxCode[k] <= 255, `${l.name}: max code ${maxCode[k]}`);
      // Weights: per channel (fbgemm), drawn on the widest channel's grid, codes -128..127.
      const ql = /** @type {any} */ (lab.last).model.modules[[1, 3, 5][k]].layer;
      const scale = Math.max(...ql.weightScales);
      assert.equal(l.weight.scale, scale);
      assert.equal(l.weight.grid.length, 256);
      for (let c = 0; c < 256; c++) assert.equal(l.weight.grid[c], Math.fround((c - 128) * scale));
      assert.deepEqual([l.weight.dataMin, l.weight.dataMax], [l.weight.values.reduce((a, b) => Math.min(a, b)), l.weight.values.reduce((a, b) => Math.max(a, b))]);
    });
    lab.runDynamic({ dynamicPerChannel: false });
    const d = /** @type {any} */ (lab.inspect());
    // Dynamic: a range per batch, so no fixed grid on the outputs.
    for (const l of d.layers) assert.deepEqual([l.activation.grid.length, l.activation.scale, l.weight.grid.length], [0, 0, 256]);
  });
});

test('Lab weight-only runs', async (t) => {
  /** Bytes of a weight-only MLP's state: per Linear, MatMulNBits's packed weights, f32 scales, zero points, f32 bias. */
  const expectedBytes = (/** @type {number} */ bits, /** @type {number} */ bs, /** @type {boolean} */ symmetric) =>
    [[784, 256], [256, 128], [128, 10]].reduce((sum, [k, n]) => {
      const kb = Math.ceil(k / bs);
      return sum + n * kb * bs * bits / 8 + 4 * n * kb + (symmetric ? 0 : n * (bits === 8 ? kb : Math.ceil(kb / 2))) + 4 * n;
    }, 0);
  for (const s of [{ woBits: 4, woBlockSize: 32, woSymmetric: false }, { woBits: 4, woBlockSize: 16, woSymmetric: true },
    { woBits: 8, woBlockSize: 256, woSymmetric: false }]) {
    await t.test(`should give int${s.woBits} block ${s.woBlockSize}${s.woSymmetric ? ' symmetric' : ''} the library's predictions and bytes`, () => {
      lab.runFloat();
      const row = lab.runWeightOnly(/** @type {any} */ (s));
      const model = qdq.quantizeDynamic(lab.floatModel(), { qconfig: qdq.getWeightOnlyQConfig({ bits: /** @type {4 | 8} */ (s.woBits),
        blockSize: /** @type {16 | 32 | 64 | 128 | 256} */ (s.woBlockSize), symmetric: s.woSymmetric }) });
      const preds = lab.predict(model);
      assert.deepEqual(lab.lastPreds, preds);
      assert.equal(row.correct, correctOf(preds));
      assert.equal(row.bytes, model.byteLength());
      assert.equal(row.bytes, expectedBytes(s.woBits, s.woBlockSize, s.woSymmetric));
      model.dispose();
      assert.deepEqual([row.workflow, row.settings], ['weight-only', { bits: s.woBits, blockSize: s.woBlockSize, symmetric: s.woSymmetric, accuracyLevel: 4 }]);
      assert.equal(row.label, `weight-only int${s.woBits}, block ${s.woBlockSize}${s.woSymmetric ? ', symmetric' : ''}`);
      // The MLP's weights are smooth enough that block weights keep float's accuracy within a point.
      assert.ok(Math.abs(row.accuracy - 0.876) < 0.01, String(row.accuracy));
    });
  }
  await t.test('should look inside with the block weights: the layer\'s own SQNR, the widest block\'s grid, float outputs', () => {
    for (const woSymmetric of [false, true]) {
      lab.runWeightOnly({ woBits: 4, woBlockSize: 32, woSymmetric });
      const r = /** @type {any} */ (lab.inspect());
      assert.equal(r.workflow, 'weight-only');
      assert.deepEqual(r.layers.map((/** @type {any} */ l) => l.name), ['fc1', 'fc2', 'fc3']);
      for (const l of r.layers) {
        const ql = /** @type {any} */ (lab.last).model.modules[l.index].layer;
        // Both are 10·log10(Σx² / Σ(x − x̂)²) over the same float64 sums, added in other orders.
        assert.ok(Math.abs(l.weight.sqnr - ql.error.sqnr) < 1e-9, `${l.name}: ${l.weight.sqnr} vs ${ql.error.sqnr}`);
        assert.deepEqual([l.weight.blockSize, l.weight.perChannel, l.weight.grid.length], [32, false, 16]);
        assert.deepEqual([l.activation.grid.length, l.activation.codes], [0, null]);
        // Every weight of the widest block dequantizes onto the grid drawn, and the grid's ends are its codes 0 and 15.
        const { scales, zeroPoints } = ql.weight;
        const kb = Math.ceil(ql.inFeatures / 32);
        let b = 0;
        for (let i = 1; i < scales.length; i++) if (Math.abs(scales[i]) > Math.abs(scales[b])) b = i;
        const w = qdq.dequantizeBlockwise({ ...ql.weight, n: ql.outFeatures, k: ql.inFeatures, bits: 4, blockSize: 32 });
        const row = Math.floor(b / kb), start = row * ql.inFeatures + (b % kb) * 32;
        const grid = new Set(l.weight.grid);
        for (let i = start; i < start + Math.min(32, ql.inFeatures - (b % kb) * 32); i++) assert.ok(grid.has(w[i]), `${l.name}: ${w[i]} off the grid`);
        const zp = blockZeroPoint(zeroPoints, b, kb, 4);
        const ends = [0, 15].map((c) => Math.fround((c - zp) * scales[b])).sort((x, y) => x - y);
        assert.deepEqual([l.weight.grid[0], l.weight.grid[15]], ends);
        assert.equal(l.weight.scale, Math.abs(scales[b]));
        // The histogram is of that block's own weights: each lies within the clipping range drawn (no block
        // clips its own weights), where the whole layer's lay past it (fc1 and fc2, asymmetric) and were drawn as clipped.
        const float = /** @type {any} */ (lab.last).reference.modules[l.index].weight;
        assert.deepEqual(l.weight.values, float.slice(start, start + Math.min(32, ql.inFeatures - (b % kb) * 32)));
        const [lo, hi] = [l.weight.grid[0] - l.weight.scale / 2, l.weight.grid[15] + l.weight.scale / 2];
        assert.ok(l.weight.values.every((/** @type {number} */ v) => v >= lo && v <= hi), `${l.name}: a weight drawn past [${lo}, ${hi}]`);
      }
    }
  });
  await t.test('should read block zero points from MatMulNBits\'s packing: 4 bits two a byte, low nibble first, rows padded', () => {
    // Two rows of three blocks: row 0 packs blocks 0-1 in byte 0 and block 2 in byte 1's low nibble; row 1 starts at byte 2.
    const zp = Uint8Array.of(0x21, 0x03, 0x54, 0x06);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((b) => blockZeroPoint(zp, b, 3, 4)), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([0, 3].map((b) => blockZeroPoint(Uint8Array.of(7, 8, 9, 200), b, 2, 8)), [7, 200]);
    assert.deepEqual([blockZeroPoint(null, 5, 3, 4), blockZeroPoint(null, 0, 1, 8)], [8, 128]);
  });
});

test('Lab runs that fail', async (t) => {
  await t.test('should free the model they built when measuring it throws, and keep the one before for inspect()', () => {
    lab.runFloat();
    lab.runDynamic({ dynamicPerChannel: false });
    const kept = /** @type {any} */ (lab).last.model;
    const evaluate = lab.evaluate;
    /** @type {any[]} */
    const built = [];
    lab.evaluate = (/** @type {any} */ model) => {
      built.push(model);
      throw new Error('measuring failed');
    };
    try {
      assert.throws(() => lab.runDynamic({ dynamicPerChannel: true }), /measuring failed/);
      assert.throws(() => lab.runWeightOnly({ woBits: 4, woBlockSize: 32, woSymmetric: false }), /measuring failed/);
    } finally {
      lab.evaluate = evaluate;
    }
    assert.deepEqual(built.map((m) => m.disposed), [true, true]);
    assert.equal(/** @type {any} */ (lab).last.model, kept);
    assert.equal(kept.disposed, false);
  });
});

test('lab URL state', async (t) => {
  await t.test('should write only non-default settings and read them back', () => {
    assert.equal(toQuery(defaults()), '');
    const s = { ...defaults(), observer: 'entropy', calibration: 10, wBits: 4, fuse: false, perChannel: 'tensor', dynamicPerChannel: true, qatLr: 0.01 };
    const q = toQuery(s);
    assert.equal(q, '?fuse=0&observer=entropy&calib=10&wbits=4&weights=tensor&dynamic=channel&qatlr=0.01');
    assert.deepEqual(fromQuery(q), s);
    assert.deepEqual(engineSettings(s), { ...DEFAULTS, observer: 'entropy', calibration: 10, wBits: 4, fuse: false, perChannel: false, dynamicPerChannel: true, qatLr: 0.01 });
  });
  await t.test('should keep the weight-only settings: bits 4 or 8, a block size the library takes, symmetric', () => {
    const s = { ...defaults(), woBits: /** @type {const} */ (8), woBlockSize: /** @type {const} */ (128), woSymmetric: true, snippet: /** @type {const} */ ('weight-only') };
    assert.equal(toQuery(s), '?wobits=8&woblock=128&wosym=1&snippet=weight-only');
    assert.deepEqual(fromQuery(toQuery(s)), s);
    assert.deepEqual(engineSettings(s), { ...DEFAULTS, woBits: 8, woBlockSize: 128, woSymmetric: true });
    assert.deepEqual([DEFAULTS.woBits, DEFAULTS.woBlockSize, DEFAULTS.woSymmetric], [4, 32, false]);
    assert.deepEqual(fromQuery('?wobits=5&woblock=48&wosym=true'), defaults());
    assert.deepEqual(fromQuery('?wobits=08&woblock=32.0'), defaults());
  });
  await t.test('should ignore invalid values and unknown keys', () => {
    assert.deepEqual(fromQuery('?calib=0&wbits=9&abits=1.5&observer=x&fuse=yes&qatlr=-1&other=1'), defaults());
    assert.equal(fromQuery('?calib=1000').calibration, 1000);
  });
});

/**
 * Runs the lab's qdq-wasm code (web/lab/snippets.js) with this checkout's library, the committed weights,
 * the subset's images and one test batch; returns the converted model's predictions.
 * @param {string} code
 */
async function runShownCode(code) {
  const AsyncFunction = /** @type {any} */ (Object.getPrototypeOf(async () => {})).constructor;
  const body = `${code.replace(/^import .*$/gm, '')}\nreturn argmaxOf(logits);`;
  const bytes = readFileSync(new URL('../../models/fashion-mlp-f32.safetensors', import.meta.url));
  const env = {
    init: () => Promise.resolve(), nn: qdq.nn, QuantStub: qdq.QuantStub, DeQuantStub: qdq.DeQuantStub, readSafetensors: qdq.readSafetensors, qdq,
    fetch: async (/** @type {string} */ url) => {
      assert.equal(url, 'fashion-mlp-f32.safetensors');
      return { arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
    },
    trainImages: train.images, trainLabels: train.labels, images: testSet.images, batch: testSet.count,
    // One batch of the first 64 images is enough to show the QAT code runs.
    shuffledBatches: (/** @type {Float32Array} */ x, /** @type {Uint8Array} */ y, /** @type {number} */ n) => [[x.subarray(0, n * 784), y.subarray(0, n), n]],
    argmaxOf: (/** @type {Float32Array} */ y) => Uint8Array.from({ length: y.length / 10 }, (_, i) => {
      let best = 0;
      for (let j = 1; j < 10; j++) if (y[i * 10 + j] > y[i * 10 + best]) best = j;
      return best;
    }),
  };
  return new AsyncFunction(...Object.keys(env), body)(...Object.values(env));
}

test('the lab\'s code panel', async (t) => {
  lab.runFloat();
  for (const s of [
    { ...DEFAULTS },
    { ...DEFAULTS, backend: 'qnnpack', fuse: false, observer: 'percentile', calibration: 10, wBits: 6, aBits: 5 },
    { ...DEFAULTS, observer: 'movingavg', calibration: 250, wBits: 4, aBits: 8, perChannel: false },
  ]) {
    await t.test(`should show static code that reproduces the lab's run: ${s.backend}, fuse ${s.fuse}, ${s.observer}, ${s.calibration}, W${s.wBits}/A${s.aBits}`, async () => {
      await lab.runStatic(s);
      assert.deepEqual(await runShownCode(qdqCode('static', s)), lab.lastPreds);
    });
  }
  await t.test("should show dynamic code that reproduces the lab's predictions but for batch-dependent scales", async () => {
    // The code runs the 2,000 images as one batch, the lab in batches of 500: dynamic activation
    // ranges differ per batch, so a few near-tie predictions may move.
    lab.runDynamic({ dynamicPerChannel: true });
    const preds = await runShownCode(qdqCode('dynamic', { ...DEFAULTS, dynamicPerChannel: true }));
    assert.ok(preds.filter((/** @type {number} */ p, /** @type {number} */ i) => p !== lab.lastPreds[i]).length <= 10);
  });
  await t.test("should show weight-only code that reproduces the lab's predictions, and torchao's call for the PyTorch side", async () => {
    for (const s of [{ ...DEFAULTS }, { ...DEFAULTS, woBits: /** @type {const} */ (8), woBlockSize: /** @type {const} */ (64), woSymmetric: true }]) {
      lab.runWeightOnly(s);
      // Exact: the weights are fixed and MatMulNBits rounds each row's blocks on their own, so the batch size changes nothing.
      assert.deepEqual(await runShownCode(qdqCode('weight-only', s)), lab.lastPreds);
    }
    assert.match(weightOnlyTorch(DEFAULTS).corrected, /^quantize_\(model, int4_weight_only\(group_size=32\)\)/m);
    assert.match(weightOnlyTorch(DEFAULTS).corrected, /torch 1\.13 has no 4-bit Linear/);
    assert.match(weightOnlyTorch({ ...DEFAULTS, woBits: 8, woBlockSize: 128 }).corrected, /^quantize_\(model, int8_weight_only\(group_size=128\)\)/m);
    // torchao's int4 takes groups of 32 to 256: the lab's 16 is shown as 32, and said so.
    const b16 = weightOnlyTorch({ ...DEFAULTS, woBlockSize: 16 }).corrected;
    assert.match(b16, /int4_weight_only\(group_size=32\)/);
    assert.match(b16, /no group of 16, so 32 is the nearest/);
  });
  await t.test('should show QAT code that runs, at 8 bits with the default QAT qconfig and at 3 bits with its own', async () => {
    assert.match(qdqCode('qat', DEFAULTS), /getDefaultQatQConfig\('fbgemm'\)/);
    const s3 = { ...DEFAULTS, wBits: 3, aBits: 3 };
    assert.match(qdqCode('qat', s3), /quantMin: -4, quantMax: 3/);
    for (const s of [DEFAULTS, s3]) {
      const preds = await runShownCode(qdqCode('qat', s));
      assert.ok(correctOf(preds) > (s.wBits === 8 ? 1600 : 1000), `${correctOf(preds)} correct`);
    }
  });
  await t.test("should say what torch 1.13 did with the article's snippets as written", () => {
    const fx = JSON.parse(readFileSync(new URL('../fixtures/article_snippets.json', import.meta.url), 'utf8'));
    assert.match(outcome(fx.cases.static.asWritten).text, /Could not run 'quantized::linear'/);
    assert.match(outcome(fx.cases.qat.asWritten).text, /Could not run 'quantized::linear'/);
    assert.match(outcome(fx.cases.dynamic.asWritten).text, /returns the float layer unchanged.*Linear\(in_features=4/);
    for (const k of ['static', 'dynamic', 'qat']) assert.equal(outcome(fx.cases[k].corrected).bad, false);
  });
});
