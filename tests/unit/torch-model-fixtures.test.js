// The committed PyTorch model fixtures (tests/fixtures/gen_models.py) checked
// against the committed float weights and each other, with the library's own
// quantize(): the int8 weights torch 1.13 put in each converted Fashion MLP
// are what the library computes from models/fashion-mlp-f32.safetensors, and
// every table row's agreement count is what its recorded predictions give.
// The model workflows build on these fixtures; this keeps them honest.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qdq } from '../helpers/setup.js';

const read = (path) => qdq.readSafetensors(readFileSync(new URL(`../../${path}`, import.meta.url))).tensors;
const weights = read('models/fashion-mlp-f32.safetensors');
const torchFile = read('tests/fixtures/fashion_mlp_torch.safetensors');
const models = JSON.parse(readFileSync(new URL('../fixtures/models.json', import.meta.url), 'utf8'));
const get = (name) => {
  const t = torchFile.get(name);
  assert.ok(t, `fixture tensor ${name}`);
  return t;
};

test('quantize()', async (t) => {
  // [fixture prefix, weight qscheme torch's observer uses, per channel]
  const cases = [
    ['dynamic/per_tensor', 'per_tensor_symmetric', false], // default_dynamic_qconfig: MinMaxObserver(qint8, symmetric)
    ['dynamic/per_channel', 'per_channel_symmetric', true], // per_channel_dynamic_qconfig
    ['static/fbgemm/weights', 'per_channel_symmetric', true], // get_default_qconfig('fbgemm')
    ['static/qnnpack/weights', 'per_tensor_symmetric', false], // get_default_qconfig('qnnpack')
  ];
  for (const [prefix, qscheme, perChannel] of cases) {
    await t.test(`should give torch 1.13's int8 Fashion MLP weights for ${prefix}`, () => {
      for (const layer of ['1', '3', '5']) {
        const w = weights.get(`${layer}.weight`);
        const q = qdq.quantize(w.data, { shape: w.shape, dtype: 'int8', qscheme, compat: 'pytorch', ...(perChannel ? { axis: 0 } : {}) });
        const int8 = get(`${prefix}/${layer}.weightInt8`);
        assert.deepEqual(int8.shape, w.shape);
        assert.deepEqual(q.data, int8.data, `${prefix} layer ${layer} int8`);
        const scales = get(`${prefix}/${layer}.weightScales`).data;
        assert.deepEqual(perChannel ? q.scales : Float32Array.of(q.scale), scales, `${prefix} layer ${layer} scales`);
        assert.ok(get(`${prefix}/${layer}.weightZeroPoints`).data.every((z) => z === 0n));
      }
    });
  }
  await t.test('should keep the float biases unchanged in the static models', () => {
    for (const backend of ['fbgemm', 'qnnpack']) {
      for (const layer of ['1', '3', '5']) assert.deepEqual(get(`static/${backend}/weights/${layer}.bias`).data, weights.get(`${layer}.bias`).data);
    }
  });
});

test('readSafetensors()', async (t) => {
  await t.test('should give every table row predictions whose agreement with the float row is the recorded count', () => {
    const float = get('float/pred').data;
    assert.equal(float.length, 10000);
    assert.equal(models.rows.length, 1 + 2 + 12 + 2);
    for (const row of models.rows) {
      const pred = get(`${row.tensors}/pred`).data;
      let agree = 0;
      for (let i = 0; i < pred.length; i++) agree += pred[i] === float[i] ? 1 : 0;
      assert.equal(agree, row.agree, row.row);
      assert.ok(Math.abs(row.correct / 10000 - models.rows[0].correct / 10000) < 0.02, `${row.row} is near float accuracy`);
    }
  });
  await t.test('should hold the input table the models were trained and calibrated with', () => {
    const table = new Float32Array(Uint32Array.from(models.info.normalize).buffer);
    const fr = Math.fround;
    for (let p = 0; p < 256; p++) assert.equal(table[p], fr(fr(fr(p / 255) - fr(0.286)) / fr(0.353)), `pixel ${p}`);
  });
});
