// Type tests of the blockwise API: must compile; each misuse is an error.
import { MatMulNBits, WeightOnlyQuantizedLinear, dequantizeBlockwise, fromDequantizeLinear, quantizeBlockwise, toDequantizeLinear } from '../../js/index.js';

const w = new Float32Array(64 * 32);
const q = quantizeBlockwise(w, { n: 64, k: 32, bits: 4, blockSize: 32, symmetric: true });
const sqnr: number = q.error.sqnr;
const back: Float32Array = dequantizeBlockwise(q);
const dq = toDequantizeLinear(q, { signed: true });
const q2 = fromDequantizeLinear({ ...dq, k: 32, n: 64, bits: 4, blockSize: 32, signed: true });
const zp: Uint8Array = q2.zeroPoints;
const mm = MatMulNBits.pack({ ...q, accuracyLevel: 0 });
const y: Float32Array = mm.forward(new Float32Array(32), 1);
mm[Symbol.dispose]();
void y;
const layer = WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 64 });
layer.forward(new Float32Array(32));
layer.dispose();
// Its accuracy levels are MatMulNBits's (1-3 compute as 0, as onnxruntime on CPU).
WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 64, accuracyLevel: 2 }).dispose();
void sqnr; void back; void zp;

// @ts-expect-error bits must be 4 or 8
quantizeBlockwise(w, { n: 64, k: 32, bits: 3 });
// @ts-expect-error block sizes are 16, 32, 64, 128 or 256
quantizeBlockwise(w, { n: 64, k: 32, blockSize: 48 });
// @ts-expect-error weights are float32
quantizeBlockwise(new Float64Array(4), { n: 2, k: 2 });
// @ts-expect-error accuracy levels are 0-4
MatMulNBits.pack({ ...q, accuracyLevel: 5 });
// @ts-expect-error accuracy levels are 0-4
WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 64, accuracyLevel: 5 });
// @ts-expect-error use MatMulNBits.pack
new MatMulNBits();
// forward(a, m, { out }) writes into and returns the caller's array.
const yOut: Float32Array = mm.forward(new Float32Array(32), 1, { out: new Float32Array(8) });
layer.forward(new Float32Array(32), 1, { out: new Float32Array(8) });
// @ts-expect-error unknown option
mm.forward(new Float32Array(32), 1, { outt: new Float32Array(8) });
void yOut;
