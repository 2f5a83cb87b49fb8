// What the model-workflow suites share: float bits in and out of the JSON fixtures, the
// fixtures' small 8-6-5-3 model and the Fashion MLP with their float weights, and the fusion
// list both use.
import { readFileSync } from 'node:fs';
import { qdq } from './setup.js';

const { nn, QuantStub, DeQuantStub, readSafetensors } = qdq;

/** float32 values from their bit patterns, as the generators write them. @param {ArrayLike<number>} b */
export const bitsF32 = (b) => new Float32Array(Uint32Array.from(b).buffer);
/** The bit patterns of float32 values. @param {ArrayLike<number>} f */
export const bitsOf = (f) => Array.from(new Uint32Array(Float32Array.from(f).buffer));
/** Linear+ReLU pairs of both models. */
export const FUSE = [['1', '2'], ['3', '4']];

/** @param {string} name a file under tests/fixtures/ */
export const readFixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

/** The committed float weights of the Fashion MLP. */
export const mlpWeights = readSafetensors(readFileSync(new URL('../../models/fashion-mlp-f32.safetensors', import.meta.url))).tensors;

/**
 * Stub, Linear, ReLU, Linear, ReLU, Linear, stub: the shape of both models.
 * @param {number[]} sizes [in, hidden1, hidden2, out]
 */
function sequential([a, b, c, d]) {
  return new nn.Sequential(new QuantStub(), new nn.Linear(a, b), new nn.ReLU(), new nn.Linear(b, c), new nn.ReLU(),
    new nn.Linear(c, d), new DeQuantStub());
}

/**
 * A fixture's small model with its float weights (bit patterns per state name), in eval mode.
 * @param {{ sizes: number[], params: Record<string, number[]> }} small
 */
export function smallModel(small) {
  const m = sequential(small.sizes);
  const state = m.stateDict();
  for (const k of Object.keys(state)) state[k].data = bitsF32(small.params[k]);
  return m.loadStateDict(state).eval();
}

/** The Fashion MLP (784-256-128-10) with the committed float weights, in eval mode. */
export const mlp = () => sequential([784, 256, 128, 10]).loadStateDict(mlpWeights).eval();

/** torch 1.13's Fashion MLP tensors (tests/fixtures/gen_models.py): its float and converted states. */
export const torchTensors = readSafetensors(readFileSync(new URL('../fixtures/fashion_mlp_torch.safetensors', import.meta.url)),
  { int64: 'number' }).tensors;
