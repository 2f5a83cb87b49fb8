// Type tests of js/linear.d.ts: must compile; each misuse is an expected error.
import { DynamicQuantizedLinear, GEMM_MAX_K, Linear, PackedMatrix, QuantizedLinear, matmulInteger, qlinearMatmul } from '../../js/index.js';

const k: 33025 = GEMM_MAX_K;
const y: Int32Array = matmulInteger(new Int8Array(4), new Int8Array(4), { m: 2, k: 2, n: 2, bZeroPoint: [0, 1] });
const p = PackedMatrix.pack(new Uint8Array(4), { k: 2, n: 2, zeroPoint: 128 });
const y2: Int32Array = matmulInteger(new Uint8Array(2), p, { m: 1, aZeroPoint: 3 });
const q8: Uint8Array = qlinearMatmul(new Uint8Array(2), p, { m: 1, aScale: 0.1, bScale: 0.2, yScale: 0.3 });
const qs8: Int8Array = qlinearMatmul(new Int8Array(2), p, { m: 1, aScale: 0.1, bScale: [0.2, 0.1], yScale: 0.3 });
p.dispose();
p[Symbol.dispose]();
const d = DynamicQuantizedLinear.fromFloat(new Float32Array(4), null, { inFeatures: 2, outFeatures: 2, compat: 'onnx' });
const f: Float32Array = d.forward(new Float32Array(2), 1);
const s = QuantizedLinear.fromFloat(new Float32Array(4), undefined, { inFeatures: 2, outFeatures: 2, inputScale: 1, outputScale: 1, relu: true });
s.forward(new Uint8Array(2));
const l = Linear.fromFloat(new Float32Array(4), new Float32Array(2), { inFeatures: 2, outFeatures: 2 });
l.forward(new Float32Array(2));
void [k, y, y2, q8, qs8, f];

// @ts-expect-error float activations are not quantized
matmulInteger(new Float32Array(4), new Int8Array(4), { m: 2, k: 2, n: 2 });
// @ts-expect-error m is required
matmulInteger(new Int8Array(4), new Int8Array(4), { k: 2, n: 2 });
// @ts-expect-error bScale is required
qlinearMatmul(new Int8Array(2), new Int8Array(2), { m: 1, k: 2, n: 1, aScale: 1, yScale: 1 });
// @ts-expect-error compat is 'pytorch' or 'onnx'
DynamicQuantizedLinear.fromFloat(new Float32Array(4), null, { inFeatures: 2, outFeatures: 2, compat: 'tf' });
// @ts-expect-error the constructor is private: use a factory
new Linear();
// @ts-expect-error forward takes a Float32Array
d.forward([1, 2]);
// forward(x, batch, { out }) writes into and returns the caller's array.
const reused: Float32Array = d.forward(new Float32Array(2), 1, { out: new Float32Array(2) });
s.forward(new Uint8Array(2), 1, { out: new Uint8Array(2) });
l.forward(new Float32Array(2), undefined, { out: new Float32Array(2) });
// @ts-expect-error out is a Float32Array for a float layer
d.forward(new Float32Array(2), 1, { out: new Int32Array(2) });
void reused;
