// The tensor view's reading of a tensor a user brings (web/parse-tensor.js): typed or pasted numbers,
// JSON, and .npy files through the library's readNpy. What the page cannot quantize is refused with a
// message naming the value, never turned into something else (1e39 into Infinity, true into 1, a
// truncated file into 2.5 columns).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeNpy } from '../../js/io/index.js';
import { parseNpy, parseText } from '../../web/parse-tensor.js';

/** A .npy file's bytes as the ArrayBuffer a File gives. @param {Uint8Array} b */
const buffer = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
/** @param {import('../../web/presets.js').Tensor2D} t */
const plain = (t) => ({ values: Array.from(t.values), rows: t.rows, cols: t.cols });

test('parseText', async (t) => {
  await t.test('should read rows of numbers and nested JSON', () => {
    assert.deepEqual(plain(parseText('1 2 3\n4, 5; 6')), { values: [1, 2, 3, 4, 5, 6], rows: 2, cols: 3 });
    assert.deepEqual(plain(parseText('[[0.5, -1], [2, 3.25]]')), { values: [0.5, -1, 2, 3.25], rows: 2, cols: 2 });
    assert.deepEqual(plain(parseText('[1, 2, 3]')), { values: [1, 2, 3], rows: 1, cols: 3 });
  });
  await t.test('should refuse what is not a finite float32 number, naming it', () => {
    assert.throws(() => parseText('[true, false, null]'), { message: 'JSON entry 1 is true, not a number' });
    assert.throws(() => parseText('[1, "2"]'), { message: 'JSON entry 2 is "2", not a number' });
    assert.throws(() => parseText('1 2 x'), { message: 'entry 3 ("x") is not a number' });
    assert.throws(() => parseText('1 1e39'), { message: "value 2 is 1e+39: beyond float32's range (±3.4e38)" });
    assert.throws(() => parseText('1 Infinity'), { message: 'value 2 is Infinity: every value must be a finite number' });
    assert.throws(() => parseText('3e38 -3e38 1\n2 3 4'), { message: 'the values span -3e+38 to 3e+38, wider than float32 can hold (3.4e38): no finite scale covers them' });
    assert.throws(() => parseText('1 2\n3'), { message: 'every line needs the same count of numbers' });
    assert.throws(() => parseText('[[1, 2], [3]]'), { message: 'nested arrays must be rectangular' });
    // The largest float32 is a value; so is a number that rounds to it.
    assert.deepEqual(plain(parseText('3.4028234663852886e38 0')).values, [3.4028234663852886e38, 0]);
  });
});

test('parseNpy', async (t) => {
  await t.test("should read through the library's readNpy: float32, Fortran order, big-endian, int64 while exact", () => {
    assert.deepEqual(plain(parseNpy(buffer(writeNpy(Float32Array.of(1.5, -2, 0.25, 8, -0.125, 3), { shape: [2, 3] })))),
      { values: [1.5, -2, 0.25, 8, -0.125, 3], rows: 2, cols: 3 });
    assert.deepEqual(plain(parseNpy(buffer(writeNpy(BigInt64Array.of(1n, 2n, 3n, 4n, 5n, 6n), { shape: [3, 2] })))),
      { values: [1, 2, 3, 4, 5, 6], rows: 3, cols: 2 });
    // The same (2, 3) array saved in Fortran order (np.save of x.T.T, say) and big-endian.
    const f = writeNpy(Float64Array.of(1, 4, 2, 5, 3, 6), { shape: [2, 3] });
    const header = new TextDecoder('latin1').decode(f.subarray(10, 10 + (f[8] | (f[9] << 8))));
    const fortran = new Uint8Array(f);
    fortran.set(new TextEncoder().encode(header.replace("'fortran_order': False", "'fortran_order': True ")), 10);
    assert.deepEqual(plain(parseNpy(buffer(fortran))), { values: [1, 2, 3, 4, 5, 6], rows: 2, cols: 3 });
    // Big-endian: the header's '<f4' as '>f4', each value's bytes reversed.
    const big = new Uint8Array(writeNpy(Float32Array.of(1, -2.5), { shape: [2] }));
    const start = big.length - 8;
    big.set(new TextEncoder().encode('>f4'), new TextDecoder('latin1').decode(big.subarray(0, start)).indexOf('<f4'));
    for (let i = start; i < big.length; i += 4) big.subarray(i, i + 4).reverse();
    assert.deepEqual(plain(parseNpy(buffer(big))), { values: [1, -2.5], rows: 1, cols: 2 });
    assert.deepEqual(plain(parseNpy(buffer(writeNpy(Float32Array.of(7), { shape: [] })))), { values: [7], rows: 1, cols: 1 });
    // 16- and 32-bit integers, which the page read before it used readNpy.
    assert.deepEqual(plain(parseNpy(buffer(writeNpy(Int16Array.of(-300, 2), { shape: [1, 2] })))), { values: [-300, 2], rows: 1, cols: 2 });
    assert.deepEqual(plain(parseNpy(buffer(writeNpy(Uint16Array.of(65535, 0), { dtype: '<u2' })))), { values: [65535, 0], rows: 1, cols: 2 });
    assert.deepEqual(plain(parseNpy(buffer(writeNpy(Uint32Array.of(7, 9), { shape: [2, 1] })))), { values: [7, 9], rows: 2, cols: 1 });
  });
  await t.test('should refuse a truncated, empty, unsupported or out-of-range file with the reason', () => {
    const whole = writeNpy(Float32Array.of(1, 2, 3, 4, 5, 6), { shape: [2, 3] });
    assert.throws(() => parseNpy(buffer(whole.subarray(0, whole.length - 4))), { message: '.npy shape (2, 3) of <f4 needs 24 data bytes, the file has 20' });
    assert.throws(() => parseNpy(buffer(writeNpy(new Float32Array(0), { shape: [0, 3] }))), { message: 'the array is empty (shape (0, 3))' });
    assert.throws(() => parseNpy(buffer(writeNpy(BigInt64Array.of(2n ** 60n), { shape: [1] }))), /\.npy data\[0\] = 1152921504606846976 is not a safe integer/);
    assert.throws(() => parseNpy(buffer(writeNpy(Float64Array.of(1, 1e39), { shape: [2] }))), { message: "value 2 is 1e+39: beyond float32's range (±3.4e38)" });
    assert.throws(() => parseNpy(new ArrayBuffer(8)), /not a \.npy file/);
  });
});
