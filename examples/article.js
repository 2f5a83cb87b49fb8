// The seed article's 2x3 example, worked through by qdq-wasm, every step printed.
// Run: node examples/article.js   (docs/quantization.md, section 7, explains each number)
import { init, backend, MinMaxObserver, PerChannelMinMaxObserver, quantizePerTensor, quantizePerChannel, dequantize, errorStats } from '../js/index.js';

await init();
const x = new Float32Array([1, 2, 3, 4, 5, 6]);
const shape = [2, 3];
const fmt = (a) => `[${Array.from(a, (v) => +Number(v).toPrecision(6)).join(', ')}]`;
console.log(`qdq-wasm (${backend()} build): x = ${fmt(x)}, shape [2, 3], int8 [-128, 127], PyTorch rounding\n`);

// Per tensor: observe, E1-E2, E5, E7, E10.
const obs = new MinMaxObserver({ dtype: 'int8' });
obs.observe(x);
const { scale, zeroPoint } = obs.calculateQParams();
console.log('Per tensor');
console.log(`  observed      min ${obs.minVal}, max ${obs.maxVal}`);
console.log(`  E1 widened    min' = min(${obs.minVal}, 0) = ${Math.min(obs.minVal, 0)}, max' = max(${obs.maxVal}, 0) = ${Math.max(obs.maxVal, 0)}`);
console.log(`  E2 scale      (${Math.max(obs.maxVal, 0)} - ${Math.min(obs.minVal, 0)}) / (127 - (-128)) = ${scale}`);
console.log(`  E2 zero point -128 - round(0 / scale) = ${zeroPoint}`);
const qt = quantizePerTensor(x, { scale, zeroPoint, compat: 'pytorch', shape });
const xt = dequantize(qt);
console.log(`  E5 q          ${fmt(qt.data)}`);
console.log(`  E7 x_hat      ${fmt(xt)}`);
const et = errorStats(x, xt);
console.log(`  E10 error     MSE ${et.mse.toExponential(3)}, max |e| ${et.maxAbsError.toFixed(6)}, SQNR ${et.sqnr.toFixed(2)} dB`);

// Per channel along axis 0: one scale and zero point per row.
const pobs = new PerChannelMinMaxObserver({ dtype: 'int8', axis: 0 });
pobs.observe(x, shape);
const { scales, zeroPoints } = pobs.calculateQParams();
console.log('\nPer channel, axis 0');
console.log(`  observed      min ${fmt(pobs.minVal)}, max ${fmt(pobs.maxVal)}`);
console.log(`  E2 scales     ${fmt(scales)}  (3/255, 6/255)`);
console.log(`  E2 zero points ${fmt(zeroPoints)}`);
const qc = quantizePerChannel(x, { shape, axis: 0, scales, zeroPoints, compat: 'pytorch' });
const xc = dequantize(qc);
console.log(`  E5 q          ${fmt(qc.data)}`);
console.log(`  E7 x_hat      ${fmt(xc)}`);
const ec = errorStats(x, xc, { shape, axis: 0 });
console.log(`  E10 error     MSE ${ec.mse.toExponential(3)}, max |e| ${ec.maxAbsError.toFixed(6)}, SQNR ${ec.sqnr.toFixed(2)} dB; per row MSE ${fmt(ec.channels.mse)}`);

console.log('\nThe article reports zero point -180 and q up to 255 (per tensor), zero points -255 and -638 and');
console.log('q up to 1022 (per channel): none of these fit in int8. See docs/quantization.md, section 7.');
