// npm run example: the article's 2x3 example, worked through by the library in Node (npm start serves the page).
import { init, quantize, dequantize, backend } from '../js/index.js';

await init();
const x = new Float32Array([1, 2, 3, 4, 5, 6]);
const fmt = (a) => `[${Array.from(a, (v) => +v.toPrecision(6)).join(', ')}]`;
console.log(`qdq-wasm (${backend()} build): the 2x3 example, int8, affine, PyTorch rounding\n`);
console.log(`x = ${fmt(x)}, shape [2, 3]`);

const t = quantize(x, { shape: [2, 3], compat: 'pytorch' });
console.log('\nPer tensor (min 0 after widening the range to include 0, max 6):');
console.log(`  scale      = (6 - 0) / (127 - -128) = ${t.scale}`);
console.log(`  zero point = -128 - round(0 / scale) = ${t.zeroPoint}`);
console.log(`  q          = ${fmt(t.data)}`);
console.log(`  x_hat      = ${fmt(dequantize(t))}`);
console.log(`  MSE ${t.error.mse.toExponential(3)}, max |err| ${t.error.maxAbsError.toFixed(6)}, SQNR ${t.error.sqnr.toFixed(2)} dB`);

const c = quantize(x, { shape: [2, 3], axis: 0, compat: 'pytorch' });
console.log('\nPer channel, axis 0:');
console.log(`  scales      = ${fmt(c.scales)}`);
console.log(`  zero points = ${fmt(c.zeroPoints)}`);
console.log(`  q           = ${fmt(c.data)}`);
console.log(`  x_hat       = ${fmt(dequantize(c))}`);
console.log(`  MSE ${c.error.mse.toExponential(3)}, max |err| ${c.error.maxAbsError.toFixed(6)}, SQNR ${c.error.sqnr.toFixed(2)} dB`);
console.log('\nThe article gives zero point -180 and q up to 255 here: both lie outside int8 [-128, 127].');
