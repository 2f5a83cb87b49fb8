// Weights in and out: safetensors, .npy and .npz against files written by
// numpy 1.24 and a spec-following safetensors writer with torch 1.13's
// bfloat16 bits (tests/fixtures/gen_io.py), the Rust reference
// implementation's own serialization vectors, round trips, and a table of
// hostile files, each followed by a valid call to show nothing was left broken.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qdq } from '../helpers/setup.js';
import { copyElements, elementBytes, float32ToBfloat16, float32ToFloat16, float16ToFloat32 } from '../../js/io/bytes.js';
import { crc32 } from '../../js/io/npz.js';

const { readSafetensors, writeSafetensors, readNpy, writeNpy, readNpz, writeNpz } = qdq;
const fixture = (name) => readFileSync(new URL(`../fixtures/io/${name}`, import.meta.url));
const fromBits = (bits) => new Float32Array(Uint32Array.from(bits).buffer);
const conversions = JSON.parse(readFileSync(new URL('../fixtures/io/conversions.json', import.meta.url), 'utf8'));
const enc = new TextEncoder();

/** A safetensors file from a header (object or raw text/bytes) and a data section. */
function st(header, data = new Uint8Array(0), n) {
  const h = header instanceof Uint8Array ? header : enc.encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
/**
 * Seeded corruptions of a valid file: 1-4 random bytes overwritten, and one
 * time in five the file cut short at a random length.
 * @param {Uint8Array} src @param {number} count @param {number} seed
 */
function* corruptions(src, count, seed) {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < count; i++) {
    const b = new Uint8Array(src);
    for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    yield rand() < 0.2 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
  }
}
/** Property: a reader either returns or throws a qdq-wasm RangeError, never anything else. */
const onlyOurErrors = (e) => e instanceof RangeError && e.message.startsWith('qdq-wasm: ');

const VALID = st({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(Float32Array.of(1.5, -2).buffer));
const validStillWorks = () => assert.deepEqual([...readSafetensors(VALID).tensors.get('a').data], [1.5, -2]);

test('readSafetensors()', async (t) => {
  await t.test('should read every dtype of the generated file, with its metadata', () => {
    const { tensors, metadata } = readSafetensors(fixture('all-dtypes.safetensors'));
    assert.deepEqual(metadata, { format: 'pt', note: 'gen_io.py' });
    // The Rust writer's order: dtype rank descending (I64, F32, I32, BF16, F16, I8, U8), then name.
    assert.deepEqual([...tensors.keys()], ['zero_points', 'empty', 'linear.weight', 'scalar', 'acc', 'brain', 'half', 'q.int8', 'pixels']);
    const w = tensors.get('linear.weight');
    assert.equal(w.dtype, 'F32');
    assert.deepEqual(w.shape, [2, 3]);
    assert.deepEqual(w.data, readNpy(fixture('f4.npy')).data);
    assert.deepEqual(tensors.get('q.int8').data, Int8Array.of(-128, -1, 0, 1, 127));
    assert.deepEqual(tensors.get('pixels').data, Uint8Array.of(0, 51, 102, 153, 204, 255));
    assert.deepEqual(tensors.get('acc').data, Int32Array.of(-(2 ** 31), 2 ** 31 - 1, 0, -7));
    assert.deepEqual(tensors.get('zero_points').data, BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n, -(2n ** 53n - 1n), 0n, 42n));
    assert.deepEqual(tensors.get('scalar'), { dtype: 'F32', shape: [], data: Float32Array.of(3.5) });
    assert.deepEqual(tensors.get('empty').shape, [0, 3]);
    assert.equal(tensors.get('empty').data.length, 0);
    // float16 1e-7 is the subnormal 2 * 2^-24; bfloat16 bits are torch's rounding of each value.
    assert.deepEqual(tensors.get('half').data, Float32Array.of(1, -0.5, 65504, 2 * 2 ** -24, Infinity));
    // torch 1.13: torch.tensor([1, -3.140625, 1e30, -1e-30]).bfloat16().float(), as bits.
    assert.deepEqual(tensors.get('brain').data, fromBits([0x3f800000, 0xc0490000, 0x714a0000, 0x8da20000]));
    const raw = readSafetensors(fixture('all-dtypes.safetensors'), { half: 'raw' }).tensors;
    assert.deepEqual(raw.get('half').data, Uint16Array.of(0x3c00, 0xb800, 0x7bff, 0x0002, 0x7c00));
    assert.deepEqual(raw.get('brain').data, float32ToBfloat16(Float32Array.of(1, -3.140625, 1e30, -1e-30)));
    assert.deepEqual(readSafetensors(fixture('no-metadata.safetensors')).metadata, null);
  });
  await t.test('should give I64 as numbers when asked, and refuse values a double cannot hold', () => {
    const small = writeSafetensors({ zp: { data: BigInt64Array.of(-128n, 0n, 2n ** 53n - 1n) } });
    assert.deepEqual(readSafetensors(small, { int64: 'number' }).tensors.get('zp').data, Float64Array.of(-128, 0, 2 ** 53 - 1));
    assert.throws(() => readSafetensors(fixture('all-dtypes.safetensors'), { int64: 'number' }),
      { name: 'RangeError', message: /^qdq-wasm: safetensors tensor "zero_points"\[0\] = -9223372036854775808 is not a safe integer/ });
    validStillWorks();
  });
  await t.test('should read the committed Fashion MLP weights with PyTorch names and shapes', () => {
    const { tensors, metadata } = readSafetensors(readFileSync(new URL('../../models/fashion-mlp-f32.safetensors', import.meta.url)));
    assert.deepEqual([...tensors].map(([k, v]) => [k, v.dtype, v.shape]).sort(), [
      ['1.bias', 'F32', [256]], ['1.weight', 'F32', [256, 784]], ['3.bias', 'F32', [128]], ['3.weight', 'F32', [128, 256]],
      ['5.bias', 'F32', [10]], ['5.weight', 'F32', [10, 128]],
    ]);
    assert.equal(metadata.format, 'pt');
    assert.ok(tensors.get('1.weight').data.every(Number.isFinite));
  });
  await t.test('should read the Rust implementation\'s reference serializations', () => {
    // safetensors/src/tensor.rs tests: an empty file, and one with metadata {framework: pt}.
    assert.deepEqual(readSafetensors(Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32)), { tensors: new Map(), metadata: null });
    const meta = st('{"__metadata__":{"framework":"pt"}}     ');
    assert.deepEqual(readSafetensors(meta).metadata, { framework: 'pt' });
  });
  await t.test('should return copies that do not alias the file, from any byte offset', () => {
    const shifted = new Uint8Array(VALID.length + 3);
    shifted.set(VALID, 3);
    const { data } = readSafetensors(shifted.subarray(3)).tensors.get('a');
    shifted.fill(0);
    assert.deepEqual([...data], [1.5, -2]);
    assert.deepEqual([...readSafetensors(VALID.buffer).tensors.get('a').data], [1.5, -2]);
    assert.deepEqual([...readSafetensors(new DataView(VALID.buffer)).tensors.get('a').data], [1.5, -2]);
  });
  await t.test('should meet random corruption with a qdq-wasm RangeError or a result, nothing else', () => {
    let refused = 0;
    for (const bytes of corruptions(fixture('all-dtypes.safetensors'), 500, 1)) {
      try {
        readSafetensors(bytes);
      } catch (e) {
        assert.ok(onlyOurErrors(e), String(e));
        refused++;
      }
    }
    assert.ok(refused > 400, `most corruptions are caught (${refused} of 500)`);
    validStillWorks();
  });
  await t.test('should read headers the reference reads: leading whitespace, null metadata, any metadata key', () => {
    // The Rust reference's test_whitespace_leading_padded_header: "readers must tolerate leading whitespace".
    assert.deepEqual(readSafetensors(st(enc.encode('\t\n{}\r '))), { tensors: new Map(), metadata: null });
    assert.equal(readSafetensors(st('{"__metadata__": null}')).metadata, null);
    // A key named __proto__ is a key like any other, not the object's prototype.
    const { metadata } = readSafetensors(st('{"__metadata__": {"__proto__": "x", "k": "v"}}'));
    assert.deepEqual(Object.entries(metadata), [['__proto__', 'x'], ['k', 'v']]);
    assert.equal(Object.getPrototypeOf(metadata), Object.prototype);
    const round = readSafetensors(writeSafetensors({}, { metadata })).metadata;
    assert.deepEqual(Object.entries(round), [['__proto__', 'x'], ['k', 'v']]);
  });
  await t.test('should refuse each hostile file with a clear error, and keep working', () => {
    const f32 = (offsets, shape = [1], dtype = 'F32') => ({ dtype, shape, data_offsets: offsets });
    const d8 = new Uint8Array(8);
    const over = new Uint8Array(16);
    new DataView(over.buffer).setBigUint64(0, 0xffffffffffffffffn, true);
    /** @type {[string, Uint8Array | any, RegExp, string?][]} */
    const cases = [
      ['shorter than 8 bytes', new Uint8Array(7), /at least 8 bytes, got 7/],
      ['header length absurd', over, /header length 18446744073709551615 is over the 100000000-byte limit/],
      ['header length past the end', st('{}', d8, 1000), /header length 1000 runs past the end of the 18-byte file/],
      ['header not UTF-8', st(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)), /header is not valid UTF-8/],
      ['header not an object', st('[1, 2]'), /must be a JSON object starting with '\{'/],
      ['header not JSON', st('{"a": '), /header is not valid JSON/],
      ['header null-like', st('{}x'), /header is not valid JSON/],
      ['duplicate names', st(`{"a":${JSON.stringify(f32([0, 4]))},"a":${JSON.stringify(f32([4, 8]))}}`, d8), /has the key "a" twice/],
      ['duplicate field', st('{"a":{"dtype":"F32","dtype":"I32","shape":[1],"data_offsets":[0,4]}}', d8.subarray(4)), /has the key "dtype" twice/],
      ['unknown dtype', st({ a: f32([0, 8], [1], 'F128') }, d8), /tensor "a" has an unknown dtype "F128"/],
      ['dtype not a string', st({ a: f32([0, 8], [1], 4) }, d8), /unknown dtype 4/],
      ['fp8', st({ a: f32([0, 8], [8], 'F8_E4M3') }, d8), /dtype F8_E4M3, which qdq-wasm does not read/],
      ['negative shape', st({ a: f32([0, 8], [-2]) }, d8), /shape must hold integers >= 0, got \[-2\]/],
      ['fractional shape', st({ a: f32([0, 8], [1.5]) }, d8), /shape must hold integers >= 0/],
      ['shape not an array', st({ a: f32([0, 8], 2) }, d8), /shape must be an array, got 2/],
      ['shape too large', st({ a: f32([0, 8], [2 ** 40, 2 ** 40]) }, d8), /too large, but its data_offsets hold 8 bytes/],
      ['shape x dtype != bytes', st({ a: f32([0, 8], [3]) }, d8), /is F32 \[3\], 12 bytes, but its data_offsets hold 8 bytes/],
      ['offsets past the data', st({ a: f32([0, 400], [100]) }, d8), /data_offsets \[0, 400\] run past the 8-byte data section/],
      ['offsets overlap', st({ a: f32([0, 8], [2]), b: f32([4, 8]) }, new Uint8Array(12)), /tensor "b" data_offsets \[4, 8\] overlap the previous tensor \(expected begin 8\)/],
      ['offsets leave a gap', st({ a: f32([0, 4]), b: f32([8, 12]) }, new Uint8Array(12)), /tensor "b" data_offsets \[8, 12\] leave a gap after the previous tensor/],
      ['offsets reversed', st({ a: f32([0, 4]), b: f32([4, 0], [0]) }, new Uint8Array(4)), /data_offsets \[4, 0\] end before they begin/],
      ['data not covered', st({ a: f32([0, 4]) }, d8), /data section is 8 bytes but the tensors cover 4/],
      ['offsets not integers', st({ a: f32([0, '8']) }, d8), /data_offsets must be \[begin, end\] integers >= 0, got \[0,"8"\]/],
      ['offsets of three', st({ a: f32([0, 4, 8]) }, d8), /data_offsets must be/],
      ['entry not an object', st({ a: [1, 2] }), /tensor "a" must be an object \{dtype, shape, data_offsets\}, got Array\(2\)/],
      ['metadata not strings', st({ __metadata__: { n: 1 } }), /__metadata__\["n"\] must be a string, got 1/],
      ['metadata not an object', st({ __metadata__: 'x' }), /__metadata__ must be an object of strings/],
      ['text before the header', st('x{}'), /must be a JSON object starting with '\{'/],
    ];
    for (const [what, bytes, message] of cases) {
      assert.throws(() => readSafetensors(bytes), { name: 'RangeError', message: new RegExp(`^qdq-wasm: (safetensors )?(.|\\n)*${message.source}`) }, what);
      validStillWorks();
    }
    assert.throws(() => readSafetensors([1, 2, 3]), { name: 'TypeError', message: /^qdq-wasm: bytes must be a Uint8Array, ArrayBuffer or ArrayBufferView, got Array\(3\)/ });
    assert.throws(() => readSafetensors('file'), { name: 'TypeError' });
    assert.throws(() => readSafetensors(VALID, { half: 'float16' }), { name: 'RangeError', message: /^qdq-wasm: half must be one of 'float32', 'raw', got "float16"/ });
    assert.throws(() => readSafetensors(VALID, { int64: 'string' }), { name: 'RangeError', message: /^qdq-wasm: int64 must be/ });
    assert.throws(() => readSafetensors(VALID, null), { name: 'TypeError', message: /^qdq-wasm: readSafetensors options must be an options object, got null/ });
    validStillWorks();
  });
});

test('writeSafetensors()', async (t) => {
  await t.test('should write the Rust writer\'s bytes for its reference cases', () => {
    assert.deepEqual(writeSafetensors({}), Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32));
    assert.deepEqual([...writeSafetensors(new Map(), { metadata: { framework: 'pt' } })], [
      40, 0, 0, 0, 0, 0, 0, 0, ...enc.encode('{"__metadata__":{"framework":"pt"}}'), 32, 32, 32, 32, 32]);
    // tensor.rs test_serialization_forced_alignement: 7 spaces of padding, then the F32 data.
    const out = writeSafetensors({ attn0: { shape: [1, 1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) } });
    assert.equal(out.length, 8 + 72 + 24);
    assert.equal(new TextDecoder().decode(out.subarray(8, 80)), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
    assert.deepEqual(out.subarray(80), new Uint8Array(Float32Array.of(0, 1, 2, 3, 4, 5).buffer));
  });
  await t.test('should reproduce the generated file byte for byte from what it reads', () => {
    const original = fixture('all-dtypes.safetensors');
    const { tensors, metadata } = readSafetensors(original); // F16/BF16 as float32: re-encoding rounds back exactly
    assert.deepEqual(writeSafetensors(tensors, { metadata }), new Uint8Array(original));
    const raw = readSafetensors(original, { half: 'raw' });
    assert.deepEqual(writeSafetensors(raw.tensors, { metadata: raw.metadata }), new Uint8Array(original));
  });
  await t.test('should round float32 to F16 and BF16 to nearest even, as numpy and torch do', () => {
    const x = fromBits(conversions.x);
    const { tensors } = readSafetensors(writeSafetensors({ h: { dtype: 'F16', data: x }, b: { dtype: 'BF16', data: x } }), { half: 'raw' });
    assert.deepEqual([...tensors.get('h').data], conversions.float16);
    assert.deepEqual([...tensors.get('b').data], conversions.bfloat16);
    const nan = fromBits(conversions.nan);
    assert.deepEqual([...float32ToFloat16(nan)], conversions.nanFloat16);
    assert.ok(float32ToBfloat16(nan).every((b) => (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0), 'NaN stays NaN in bfloat16');
  });
  await t.test('should round-trip every dtype and keep integer-like names in the writer\'s order', () => {
    const input = new Map([
      ['10', { data: Float64Array.of(Math.PI) }], ['9', { data: Float32Array.of(-0, NaN) }], ['é', { data: Int16Array.of(-3) }],
      ['u16', { dtype: 'U16', data: Uint16Array.of(65535) }], ['u32', { data: Uint32Array.of(2 ** 32 - 1) }],
      ['u64', { data: BigUint64Array.of(2n ** 64n - 1n) }], ['u8', { data: Uint8Array.of(1) }], ['u8x', { data: Uint8Array.of(2) }], ['bool', { dtype: 'BOOL', data: Uint8Array.of(1, 0) }],
      ['i64n', { dtype: 'I64', shape: [2], data: Float64Array.of(-5, 2 ** 53 - 1) }],
    ]);
    const bytes = writeSafetensors(input, { metadata: { b: '2', a: 'ü' } });
    const { tensors, metadata } = readSafetensors(bytes);
    assert.deepEqual(metadata, { a: 'ü', b: '2' });
    assert.deepEqual([...tensors.keys()], ['u64', 'i64n', '10', '9', 'u32', 'u16', 'é', 'u8', 'u8x', 'bool']);
    assert.deepEqual(tensors.get('10').data, Float64Array.of(Math.PI));
    assert.ok(Object.is(tensors.get('9').data[0], -0) && Number.isNaN(tensors.get('9').data[1]));
    assert.deepEqual(tensors.get('u64').data, BigUint64Array.of(2n ** 64n - 1n));
    assert.deepEqual(tensors.get('i64n').data, BigInt64Array.of(-5n, 2n ** 53n - 1n));
    assert.deepEqual(tensors.get('é').data, Int16Array.of(-3));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))));
    assert.ok(header.indexOf('"10"') < header.indexOf('"9"'), 'names sort by code point within a dtype, as strings');
  });
  await t.test('should refuse bad tensors and metadata with a clear error', () => {
    const cases = [
      [[{ a: { data: [1, 2] } }], TypeError, /tensors\["a"\]\.data must be a typed array, got Array\(2\)/],
      [[{ a: null }], TypeError, /tensors\["a"\] must be \{ dtype\?, shape, data \}, got null/],
      [[{ a: { data: Uint16Array.of(1) } }], TypeError, /tensors\["a"\]\.dtype is required for Uint16Array\(1\)/],
      [[{ a: { dtype: 'F128', data: Float32Array.of(1) } }], RangeError, /tensors\["a"\]\.dtype must be one of BOOL, .*got "F128"/],
      [[{ a: { dtype: 'F8_E4M3', data: Uint8Array.of(1) } }], RangeError, /tensors\["a"\]\.dtype must be one of/],
      [[{ a: { dtype: 'I32', data: Float32Array.of(1) } }], TypeError, /data for dtype I32 must be a Int32Array, got Float32Array\(1\)/],
      [[{ a: { dtype: 'F16', data: Int8Array.of(1) } }], TypeError, /must be a Uint16Array \(bits\) or Float32Array/],
      [[{ a: { dtype: 'I64', data: Float64Array.of(0.5) } }], RangeError, /tensors\["a"\]\.data\[0\] = 0\.5 is not a safe integer/],
      [[{ a: { shape: [2, 2], data: Float32Array.of(1, 2, 3) } }], RangeError, /shape \[2,2\] of F32 needs 16 bytes, but data holds 12/],
      [[{ a: { shape: [-1], data: Float32Array.of(1) } }], RangeError, /shape must hold integers >= 0/],
      [[{ a: { shape: '1', data: Float32Array.of(1) } }], TypeError, /tensors\["a"\] shape must be an array, got "1"/],
      [[{ a: { shape: 1, data: Float32Array.of(1) } }], TypeError, /tensors\["a"\] shape must be an array, got 1/],
      [[{ a: { shape: ['1'], data: Float32Array.of(1) } }], TypeError, /tensors\["a"\] shape must hold integers >= 0, got \["1"\]/],
      [[{ a: { shape: [0.5], data: Float32Array.of(1) } }], RangeError, /tensors\["a"\] shape must hold integers >= 0, got \[0.5\]/],
      [[{ a: { dtype: 8, data: Float32Array.of(1) } }], TypeError, /tensors\["a"\]\.dtype must be one of BOOL, .*got 8/],
      [[{ a: { dtype: {}, data: Float32Array.of(1) } }], TypeError, /tensors\["a"\]\.dtype must be one of BOOL, .*got Object/],
      [[{ __metadata__: { data: Float32Array.of(1) } }], RangeError, /"__metadata__" is reserved/],
      [[{ '\ud800': { data: Float32Array.of(1) } }], RangeError, /lone surrogate/],
      [[{}, { metadata: { n: 1 } }], TypeError, /metadata\["n"\] must be a string, got 1/],
      [[{}, { metadata: [] }], TypeError, /metadata must be an object of strings, got Array\(0\)/],
      [[{}, { metadata: { k: '\udc00' } }], RangeError, /lone surrogate/],
      [[{}, 5], TypeError, /writeSafetensors options must be an options object, got 5/],
      [[Float32Array.of(1)], TypeError, /tensors must be a Map or an object/],
      [[new Map([[1, { data: Float32Array.of(1) }]])], TypeError, /tensor names must be strings, got 1/],
    ];
    for (const [args, name, message] of cases) {
      assert.throws(() => writeSafetensors(...args), { name: name.name, message: new RegExp(`^qdq-wasm: (.*)?${message.source}`) });
      assert.deepEqual([...readSafetensors(writeSafetensors({ a: { data: Float32Array.of(1.5, -2) } })).tensors.get('a').data], [1.5, -2]);
    }
  });
});

test('readNpy()', async (t) => {
  await t.test('should read every dtype numpy wrote, in versions 1.0, 2.0 and 3.0', () => {
    const f4 = readNpy(fixture('f4.npy'));
    assert.equal(f4.descr, '<f4');
    assert.deepEqual(f4.shape, [2, 3]);
    assert.deepEqual(f4.version, [1, 0]);
    for (const v of ['f4-v2.npy', 'f4-v3.npy']) assert.deepEqual(readNpy(fixture(v)).data, f4.data);
    assert.deepEqual(readNpy(fixture('f4-v3.npy')).version, [3, 0]);
    assert.equal(readNpy(fixture('f8.npy')).data.constructor, Float64Array);
    assert.deepEqual(readNpy(fixture('i1.npy')), { descr: '|i1', shape: [5], data: Int8Array.of(-128, -1, 0, 1, 127), version: [1, 0] });
    assert.deepEqual(readNpy(fixture('u1.npy')).data, Uint8Array.of(0, 51, 102, 153, 204, 255));
    assert.deepEqual(readNpy(fixture('i4.npy')).data, Int32Array.of(-(2 ** 31), 2 ** 31 - 1, 0, -7));
    assert.deepEqual(readNpy(fixture('i8.npy')).data, BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n, -(2n ** 53n - 1n), 0n, 42n));
    assert.deepEqual(readNpy(fixture('scalar.npy')), { descr: '<f4', shape: [], data: Float32Array.of(3.5), version: [1, 0] });
    assert.deepEqual(readNpy(fixture('empty.npy')).shape, [0, 3]);
    assert.deepEqual(readNpy(fixture('i2.npy')), { descr: '<i2', shape: [5], data: Int16Array.of(-32768, -1, 0, 1, 32767), version: [1, 0] });
    assert.deepEqual(readNpy(fixture('u2-big.npy')), { descr: '>u2', shape: [2, 2], data: Uint16Array.of(0, 1, 258, 65535), version: [1, 0] });
    assert.deepEqual(readNpy(fixture('u4.npy')).data, Uint32Array.of(0, 1, 2 ** 31, 2 ** 32 - 1));
  });
  await t.test('should read Fortran-order arrays (np.save of an F-contiguous array) in C order', () => {
    // np.asfortranarray(np.arange(24).reshape(2, 3, 4)): the same array, its elements 0..23 in C order.
    assert.deepEqual(readNpy(fixture('fortran-3d.npy')), { descr: '<i4', shape: [2, 3, 4], data: Int32Array.from({ length: 24 }, (_, i) => i), version: [1, 0] });
    // np.arange(6, dtype='>f8').reshape(3, 2).T: [[0, 2, 4], [1, 3, 5]].
    assert.deepEqual(readNpy(fixture('fortran-t.npy')).data, Float64Array.of(0, 2, 4, 1, 3, 5));
    // The committed random 2 x 3 array: element [i][j] is the file's (j * 2 + i)-th.
    const f = fixture('fortran.npy');
    const raw = new Float32Array(new Uint8Array(f).slice(128).buffer);
    assert.deepEqual(readNpy(f).data, Float32Array.from({ length: 6 }, (_, c) => raw[(c % 3) * 2 + Math.floor(c / 3)]));
  });
  await t.test('should read the headers numpy also reads: 1-byte kinds with any byte order, Python 2 longs, 1-D Fortran order', () => {
    const file = (text, data, version = 1) => {
      const h = enc.encode(text);
      const prefix = version === 1 ? 10 : 12;
      const out = new Uint8Array(prefix + h.length + data.length);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
      if (version === 1) new DataView(out.buffer).setUint16(8, h.length, true);
      else new DataView(out.buffer).setUint32(8, h.length, true);
      out.set(h, prefix);
      out.set(data, prefix + h.length);
      return out;
    };
    const two = new Uint8Array(Float32Array.of(1.5, 2).buffer);
    assert.deepEqual(readNpy(file("{'descr': '>u1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.of(1, 2, 250))).data, Uint8Array.of(1, 2, 250));
    assert.deepEqual(readNpy(file("{'descr': '<i1', 'fortran_order': False, 'shape': (1,), }", Uint8Array.of(255))).data, Int8Array.of(-1));
    assert.deepEqual(readNpy(file("{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L), }", two)).shape, [1, 2]);
    assert.deepEqual(readNpy(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", two, 2)).shape, [2]);
    // numpy's _filter_header drops the L for format 1.0 and 2.0 only.
    assert.throws(() => readNpy(file("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", two, 3)), { name: 'RangeError', message: /malformed shape tuple/ });
    assert.deepEqual(readNpy(file("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", two)).data, Float32Array.of(1.5, 2));
  });
  await t.test('should decode float16 exactly or keep its bits', () => {
    assert.deepEqual(readNpy(fixture('f2.npy')).data, Float32Array.of(0, -0, 1, -2.5, 65504, 2 ** -14, 2 ** -24, Infinity, -Infinity));
    assert.ok(Object.is(readNpy(fixture('f2.npy')).data[1], -0));
    assert.deepEqual(readNpy(fixture('f2.npy'), { half: 'raw' }).data, Uint16Array.of(0, 0x8000, 0x3c00, 0xc100, 0x7bff, 0x0400, 0x0001, 0x7c00, 0xfc00));
    // Every float16 bit pattern, NaN payloads included, converts exactly and back (numpy's rule).
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    assert.deepEqual(float32ToFloat16(float16ToFloat32(all)), all);
  });
  await t.test('should read big-endian files on this little-endian host, and decode for a big-endian one', () => {
    assert.deepEqual(readNpy(fixture('big.npy')).data, Float32Array.of(0, 1, 2, 3, 4, 5));
    const le = new Uint8Array(Int32Array.of(1, -2).buffer);
    // Claiming a big-endian host makes copyElements swap: on this host the swapped words read back reversed.
    assert.deepEqual(copyElements(le, 0, 8, Int32Array, { littleEndian: true, hostLittleEndian: false }), Int32Array.of(0x01000000, -16777217));
    assert.deepEqual(copyElements(le, 0, 8, Int32Array, { littleEndian: false, hostLittleEndian: false }), Int32Array.of(1, -2));
    assert.deepEqual(elementBytes(Int16Array.of(0x0102), { hostLittleEndian: false }), Uint8Array.of(0x01, 0x02));
    assert.deepEqual(elementBytes(Int16Array.of(0x0102)), Uint8Array.of(0x02, 0x01));
  });
  await t.test('should give int64 as numbers when asked', () => {
    const safe = writeNpy(BigInt64Array.of(-3n, 2n ** 53n - 1n));
    assert.deepEqual(readNpy(safe, { int64: 'number' }).data, Float64Array.of(-3, 2 ** 53 - 1));
    assert.throws(() => readNpy(fixture('i8.npy'), { int64: 'number' }), { name: 'RangeError', message: /^qdq-wasm: \.npy data\[0\] = -9223372036854775808 is not a safe integer/ });
  });
  await t.test('should meet random corruption with a qdq-wasm RangeError or a result, nothing else', () => {
    let refused = 0;
    for (const bytes of corruptions(fixture('f4.npy'), 500, 2)) {
      try {
        readNpy(bytes);
      } catch (e) {
        assert.ok(onlyOurErrors(e), String(e));
        refused++;
      }
    }
    assert.ok(refused > 400, `most corruptions are caught (${refused} of 500)`);
  });
  await t.test('should refuse each malformed file clearly, and keep working', () => {
    const good = fixture('f4.npy');
    const header = (text, version = 1) => {
      const h = enc.encode(text);
      const prefix = version === 1 ? 10 : 12;
      const out = new Uint8Array(prefix + h.length);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
      if (version === 1) new DataView(out.buffer).setUint16(8, h.length, true);
      else new DataView(out.buffer).setUint32(8, h.length, true);
      out.set(h, prefix);
      return out;
    };
    const withData = (text, n) => { const h = header(text); const o = new Uint8Array(h.length + n); o.set(h); return o; };
    const cases = [
      [new Uint8Array(5), /not a \.npy file/],
      [enc.encode('PK\x03\x04 not npy at all'), /not a \.npy file/],
      [Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 4, 0, 0, 0), /version 4\.0 is not 1\.0, 2\.0 or 3\.0/],
      [Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0), /ends inside its header length/],
      [Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0xff, 0xff, 0x7b), /header length 65535 runs past the end of the 11-byte file/],
      [header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), /shape \(2, 3\) of <f4 needs 24 data bytes, the file has 0/],
      [withData("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8), /dtype "<c8" is not supported/],
      [withData("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", 4), /dtype "\|f4" is not supported/],
      [withData("{'descr': '|i4', 'fortran_order': False, 'shape': (1,), }", 4), /dtype "\|i4" is not supported/],
      [withData("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", 4), /1-D shape without its trailing comma/],
      [withData("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4), /shape that is not a tuple of integers/],
      [withData("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", 4), /fortran_order that is not True or False/],
      [withData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4), /has the key 'descr' twice/],
      [withData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4), /unexpected key 'x'/],
      [withData("{'descr': '<f4', 'shape': (1,), }", 4), /lacks 'fortran_order'/],
      [withData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } __import__('os')", 4), /text after the dict/],
      [withData("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,), }", 4), /escape in a string/],
      [withData("{'descr: '<f4'}", 4), /expected ':'|unterminated|expected/],
      [withData("{'descr': '<f4' 'fortran_order': False}", 4), /expected ',' or '\}'/],
      [withData("{'descr': '<f4', 'fortran_order': False, 'shape': (1 2), }", 4), /malformed shape tuple/],
      [withData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 4), /dimension too large/],
      [withData("{'descr': 3}", 4), /expected a string/],
      [withData("{'descr': '<f4", 4), /unterminated string/],
      [withData("('descr')", 4), /expected '\{'/],
      [(() => { const h = header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 3); h[h.length - 3] = 0xff; return h; })(), /3\.0 header is not valid UTF-8/],
    ];
    for (const [bytes, message] of cases) {
      assert.throws(() => readNpy(bytes), { name: 'RangeError', message: new RegExp(`^qdq-wasm: .*${message.source.replace(/^\^qdq-wasm: /, '')}`) });
      assert.deepEqual(readNpy(good).shape, [2, 3]);
    }
    assert.throws(() => readNpy(null), { name: 'TypeError', message: /^qdq-wasm: bytes must be a Uint8Array/ });
    assert.throws(() => readNpy(good, 'raw'), { name: 'TypeError', message: /^qdq-wasm: options must be an options object/ });
    assert.throws(() => readNpy(good, { half: 1 }), { name: 'TypeError', message: /half must be one of 'float32', 'raw', got 1/ });
    assert.throws(() => readNpy(good, { hlaf: 'raw' }), { name: 'TypeError', message: /unknown option 'hlaf' in options; did you mean 'half'\?/ });
  });
});

test('writeNpy()', async (t) => {
  await t.test('should write numpy 1.24\'s exact bytes for each dtype and version', () => {
    for (const name of ['f4', 'f8', 'i1', 'u1', 'i2', 'u4', 'i4', 'i8', 'f2', 'scalar', 'empty', 'f4-v2', 'f4-v3']) {
      const original = fixture(`${name}.npy`);
      const { data, shape, descr, version } = readNpy(original, { half: 'raw' });
      assert.deepEqual(writeNpy(data, { shape, dtype: descr, version: version[0] }), new Uint8Array(original), name);
    }
    // Defaults: the dtype from the typed array, a 1-D shape, version 1.0.
    assert.deepEqual(writeNpy(Int8Array.of(-128, -1, 0, 1, 127)), new Uint8Array(fixture('i1.npy')));
    assert.deepEqual(writeNpy(Int16Array.of(-32768, -1, 0, 1, 32767)), new Uint8Array(fixture('i2.npy')));
    assert.deepEqual(writeNpy(Uint32Array.of(0, 1, 2 ** 31, 2 ** 32 - 1)), new Uint8Array(fixture('u4.npy')));
    // float16 from float32 values, rounded to nearest even.
    assert.deepEqual(writeNpy(readNpy(fixture('f2.npy')).data, { dtype: '<f2' }), new Uint8Array(fixture('f2.npy')));
  });
  await t.test('should switch to version 2.0 when the header outgrows 1.0, as numpy does', () => {
    const shape = Array(22000).fill(1);
    const bytes = writeNpy(Float32Array.of(7), { shape });
    assert.equal(bytes[6], 2);
    assert.equal((12 + new DataView(bytes.buffer).getUint32(8, true)) % 64, 0);
    assert.deepEqual(readNpy(bytes).data, Float32Array.of(7));
    assert.throws(() => writeNpy(Float32Array.of(7), { shape, version: 1 }), { name: 'RangeError', message: /^qdq-wasm: a \.npy 1\.0 header holds 65535 bytes, this one needs \d+: use version 2/ });
  });
  await t.test('should refuse data it cannot write, clearly', () => {
    const cases = [
      [[[1, 2]], TypeError, /data must be a typed array, got Array\(2\)/],
      [[new DataView(new ArrayBuffer(4))], TypeError, /data must be a typed array/],
      [[Uint16Array.of(1)], TypeError, /writeNpy needs options\.dtype for Uint16Array\(1\)/],
      [[Float32Array.of(1), { dtype: '>f4' }], RangeError, /dtype must be one of '<f2'.*got ">f4"/],
      [[Float32Array.of(1), { dtype: 4 }], TypeError, /writeNpy dtype must be one of .*got 4/],
      [[Float32Array.of(1), { dtype: ['<f4'] }], TypeError, /writeNpy dtype must be one of .*got Array\(1\)/],
      [[Float32Array.of(1), { shape: 1 }], TypeError, /shape must be an array of integers >= 0, got 1/],
      [[Float32Array.of(1, 2), { shape: '2' }], TypeError, /shape must be an array of integers >= 0, got "2"/],
      [[Float32Array.of(1, 2), { shape: ['2'] }], TypeError, /shape must be an array of integers >= 0, got \["2"\]/],
      [[Float32Array.of(1, 2), { shape: [2.5] }], RangeError, /shape must be an array of integers >= 0, got \[2.5\]/],
      [[Float32Array.of(1), { version: '1' }], TypeError, /version must be 1, 2 or 3, got "1"/],
      [[Float32Array.of(1), { dtype: '<i4' }], TypeError, /data for <i4 must be a Int32Array, got Float32Array\(1\)/],
      [[Int8Array.of(1), { dtype: '<f2' }], TypeError, /\(bits\) or Float32Array/],
      [[Float32Array.of(1, 2), { shape: [3] }], RangeError, /shape \[3\] has 3 elements, data has 2/],
      [[Float32Array.of(1), { shape: [-1] }], RangeError, /shape must be an array of integers >= 0, got \[-1\]/],
      [[Float32Array.of(1), { version: 4 }], RangeError, /version must be 1, 2 or 3, got 4/],
      [[Float32Array.of(1), null], TypeError, /writeNpy options must be an options object, got null/],
    ];
    for (const [args, type, message] of cases) {
      assert.throws(() => writeNpy(...args), { name: type.name, message: new RegExp(`^qdq-wasm: (.*)?${message.source}`) });
      assert.equal(writeNpy(Float32Array.of(1)).length, 132);
    }
  });
});

test('readNpz()', async (t) => {
  const expected = (m) => {
    assert.deepEqual([...m.keys()], ['w', 'labels', 'counts']);
    assert.deepEqual(m.get('w').data, readNpy(fixture('f4.npy')).data);
    assert.deepEqual(m.get('labels').data, Int8Array.of(-128, -1, 0, 1, 127));
    assert.equal(m.get('counts').data[1], 2n ** 63n - 1n);
  };
  await t.test('should read np.savez archives (stored, ZIP64 local headers)', async () => expected(await readNpz(fixture('stored.npz'))));
  await t.test('should read np.savez_compressed archives (deflate)', async () => expected(await readNpz(fixture('deflated.npz'))));
  await t.test('should take sizes and offsets from ZIP64 extra fields', async () => {
    // One stored entry whose central directory sizes and offset all say 0xffffffff,
    // the real values in a ZIP64 extra field (id 1), as archives over 4 GB have them.
    const npy = writeNpy(Float32Array.of(4, 5));
    const name = enc.encode('z.npy');
    const local = new Uint8Array(30 + name.length + npy.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(14, crc32(npy), true);
    lv.setUint32(18, npy.length, true);
    lv.setUint32(22, npy.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(npy, 30 + name.length);
    const central = new Uint8Array(46 + name.length + 4 + 24 + 22);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(16, crc32(npy), true);
    cv.setUint32(20, 0xffffffff, true);
    cv.setUint32(24, 0xffffffff, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, 4 + 24, true);
    cv.setUint32(42, 0xffffffff, true);
    central.set(name, 46);
    let x = 46 + name.length;
    cv.setUint16(x, 1, true);
    cv.setUint16(x + 2, 24, true);
    cv.setBigUint64(x + 4, BigInt(npy.length), true);
    cv.setBigUint64(x + 12, BigInt(npy.length), true);
    cv.setBigUint64(x + 20, 0n, true);
    x += 28;
    cv.setUint32(x, 0x06054b50, true);
    cv.setUint16(x + 8, 1, true);
    cv.setUint16(x + 10, 1, true);
    cv.setUint32(x + 12, 46 + name.length + 28, true);
    cv.setUint32(x + 16, local.length, true);
    const zip = new Uint8Array(local.length + central.length);
    zip.set(local);
    zip.set(central, local.length);
    assert.deepEqual((await readNpz(zip)).get('z').data, Float32Array.of(4, 5));
    // The same with the ZIP64 field cut short: refused, not read past.
    const short = zip.slice();
    new DataView(short.buffer).setUint16(local.length + 46 + name.length + 2, 8, true);
    await assert.rejects(readNpz(short), { name: 'RangeError', message: /^qdq-wasm: \.npz entry "z\.npy" has a short ZIP64 field/ });
  });
  await t.test('should read what np.load reads: entries that are not arrays (skipped), bytes after the end record', async () => {
    const m = await readNpz(fixture('with-readme.npz'));
    assert.deepEqual([...m.keys()], ['x']);
    assert.deepEqual(m.get('x').data, Float32Array.of(1.5));
    expected(await readNpz(fixture('trailing.npz')));
  });
  await t.test('should explain when deflate needs a DecompressionStream the platform lacks', async () => {
    const saved = globalThis.DecompressionStream;
    try {
      // @ts-ignore simulating an engine without the Compression Streams API
      delete globalThis.DecompressionStream;
      await assert.rejects(readNpz(fixture('deflated.npz')), { name: 'RangeError', message: /^qdq-wasm: \.npz entry "w\.npy" is deflate-compressed and this platform has no DecompressionStream/ });
      expected(await readNpz(fixture('stored.npz')));
    } finally {
      globalThis.DecompressionStream = saved;
    }
  });
  await t.test('should pass options to each array', async () => {
    const m = await readNpz(writeNpz({ h: { data: Uint16Array.of(0x3c00), dtype: '<f2' }, n: BigInt64Array.of(5n) }), { half: 'raw', int64: 'number' });
    assert.deepEqual(m.get('h').data, Uint16Array.of(0x3c00));
    assert.deepEqual(m.get('n').data, Float64Array.of(5));
  });
  await t.test('should meet random corruption with a qdq-wasm RangeError or a result, nothing else', async () => {
    for (const [name, seed] of [['stored.npz', 3], ['deflated.npz', 4]]) {
      let refused = 0;
      for (const bytes of corruptions(fixture(name), 300, seed)) {
        try {
          await readNpz(bytes);
        } catch (e) {
          assert.ok(onlyOurErrors(e), String(e));
          refused++;
        }
      }
      assert.ok(refused > 200, `${name}: most corruptions are caught (${refused} of 300)`);
    }
  });
  await t.test('should refuse each malformed archive clearly, and keep working', async () => {
    const stored = new Uint8Array(fixture('stored.npz'));
    const deflated = new Uint8Array(fixture('deflated.npz'));
    const view = (b) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const eocd = (b) => b.length - 22;
    const cd = (b) => view(b).getUint32(eocd(b) + 16, true);
    const edit = (src, fn) => { const b = src.slice(); fn(b, view(b)); return b; };
    const dataStart = (b) => 30 + view(b).getUint16(26, true) + view(b).getUint16(28, true);
    const mine = writeNpz({ a: Float32Array.of(1, 2) });
    const cases = [
      [new Uint8Array(10), /not a \.npz \(zip\) file: no end of central directory record/],
      [stored.subarray(0, stored.length - 5), /no end of central directory record/],
      [edit(stored, (b) => { b[dataStart(b) + 100] ^= 1; }), /entry "w\.npy" fails its CRC-32 check/],
      [edit(stored, (b, v) => v.setUint16(cd(b) + 10, 12, true)), /uses compression method 12 \(only 0, stored, and 8, deflate, are supported\)/],
      [edit(stored, (b, v) => v.setUint16(cd(b) + 8, 1, true)), /entry "w\.npy" is encrypted/],
      [edit(stored, (b, v) => v.setUint32(eocd(b) + 16, b.length, true)), /central directory \[\d+, \d+\) runs past its end record/],
      [edit(stored, (b, v) => v.setUint32(cd(b), 0, true)), /central directory entry 0 at \d+ is malformed/],
      [edit(stored, (b, v) => v.setUint32(cd(b) + 42, 5, true)), /entry "w\.npy" has no local header at 5/],
      [edit(stored, (b, v) => v.setUint16(eocd(b) + 10, 0xffff, true)), /ZIP64 \.npz archives/],
      [edit(mine, (b, v) => { v.setUint32(cd(b) + 20, 4000, true); v.setUint32(cd(b) + 24, 4000, true); }), /data \[\d+, \d+\) runs past the archive's entries/],
      [edit(mine, (b, v) => v.setUint32(cd(b) + 24, 9, true)), /stored \.npz entry "a\.npy" has sizes \d+ and 9/],
      [edit(mine, (b, v) => v.setUint16(cd(b) + 28, 200, true)), /central directory entry 0 runs past the directory/],
      [edit(mine, (b) => { b[cd(b) + 46] = 0xff; }), /entry 0 has a name that is not UTF-8/],
      // A broken .npy inside, with CRCs that match it: the inner error names the entry.
      [edit(mine, (b, v) => {
        b[dataStart(b)] = 0;
        const crc = crc32(b.subarray(dataStart(b), cd(b)));
        v.setUint32(14, crc, true);
        v.setUint32(cd(b) + 16, crc, true);
      }), /\.npz entry "a\.npy": not a \.npy file/],
      [edit(deflated, (b, v) => v.setUint32(cd(b) + 24, 10, true)), /entry "w\.npy" inflates past its declared 10 bytes/],
      [edit(deflated, (b, v) => v.setUint32(cd(b) + 24, 5000, true)), /entry "w\.npy" inflates to \d+ bytes, its header says 5000/],
      // A size deflate cannot reach from these bytes (over 1032:1) is refused before anything is allocated.
      [edit(deflated, (b, v) => v.setUint32(cd(b) + 24, 0xfffffff0, true)), /entry "w\.npy" declares 4294967280 bytes from \d+ deflated bytes, more than deflate can give/],
      [edit(deflated, (b) => { b[dataStart(b)] = 0xff; b[dataStart(b) + 1] = 0xff; }), /entry "w\.npy" is not valid deflate data/],
      // Two entries under one name: rename y.npy to x.npy in both of its headers.
      [edit(writeNpz({ x: Float32Array.of(1), y: Float32Array.of(2) }), (b) => {
        for (let i = 0; i + 5 <= b.length; i++) if (String.fromCharCode(...b.subarray(i, i + 5)) === 'y.npy') b[i] = 0x78;
      }), /\.npz has the entry "x\.npy" twice/],
    ];
    for (const [bytes, message] of cases) {
      await assert.rejects(readNpz(bytes), { name: 'RangeError', message: new RegExp(`^qdq-wasm: .*${message.source}`) });
      expected(await readNpz(stored));
    }
    await assert.rejects(readNpz('x'), { name: 'TypeError', message: /^qdq-wasm: bytes must be/ });
    await assert.rejects(readNpz(stored, null), { name: 'TypeError', message: /^qdq-wasm: options must be an options object, got null/ });
    await assert.rejects(readNpz(stored, { half: 'f16' }), { name: 'RangeError', message: /^qdq-wasm: half must be/ });
  });
});

test('writeNpz()', async (t) => {
  await t.test('should write stored entries with correct CRC-32s that readNpz reads back', async () => {
    assert.equal(crc32(enc.encode('123456789')), 0xcbf43926); // the CRC-32 check value
    const arrays = { w: { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] }, 'ü': Int8Array.of(-1), labels: Uint8Array.of(7) };
    const bytes = writeNpz(arrays);
    assert.deepEqual(writeNpz(arrays), bytes, 'deterministic');
    const m = await readNpz(bytes);
    assert.deepEqual([...m.keys()], ['w', 'ü', 'labels']);
    assert.deepEqual(m.get('w').shape, [2, 2]);
    assert.deepEqual(m.get('ü').data, Int8Array.of(-1));
    const v = new DataView(bytes.buffer);
    assert.equal(v.getUint32(0, true), 0x04034b50);
    assert.equal(v.getUint16(8, true), 0, 'stored');
    assert.equal(v.getUint32(14, true), crc32(writeNpy(Float32Array.of(1, 2, 3, 4), { shape: [2, 2] })));
    assert.equal(v.getUint16(bytes.length - 22 + 10, true), 3);
    assert.deepEqual(await readNpz(writeNpz(new Map())), new Map());
  });
  await t.test('should refuse what it cannot write', () => {
    assert.throws(() => writeNpz([1]), { name: 'TypeError', message: /^qdq-wasm: arrays must be a Map or an object of typed arrays, got Array\(1\)/ });
    assert.throws(() => writeNpz({ a: 5 }), { name: 'TypeError', message: /^qdq-wasm: arrays\["a"\] must be a typed array or \{ data, shape, dtype \}, got 5/ });
    // writeNpy's checks, naming the array: the wrong kind of shape or dtype is a TypeError, a bad value a RangeError.
    assert.throws(() => writeNpz({ v: { data: Float32Array.of(1, 2), shape: 2 } }),
      { name: 'TypeError', message: /^qdq-wasm: arrays\["v"\]: shape must be an array of integers >= 0, got 2$/ });
    assert.throws(() => writeNpz({ v: { data: Float32Array.of(1, 2), dtype: 4 } }), { name: 'TypeError', message: /^qdq-wasm: arrays\["v"\]: writeNpy dtype must be one of/ });
    assert.throws(() => writeNpz({ v: { data: Float32Array.of(1, 2), shape: [-2] } }), { name: 'RangeError', message: /^qdq-wasm: arrays\["v"\]: shape must be an array of integers >= 0, got \[-2\]$/ });
    assert.throws(() => writeNpz({ v: { data: Float32Array.of(1, 2), shape: [3] } }), { name: 'RangeError', message: /^qdq-wasm: arrays\["v"\]: shape \[3\] has 3 elements, data has 2$/ });
    assert.throws(() => writeNpz(new Map([['', Float32Array.of(1)]])), { name: 'TypeError', message: /^qdq-wasm: array names must be non-empty strings/ });
    assert.throws(() => writeNpz({ a: { data: Float32Array.of(1), shape: [2] } }), { name: 'RangeError', message: /^qdq-wasm: arrays\["a"\]: shape \[2\] has 2 elements, data has 1/ });
    assert.throws(() => writeNpz({ ['x'.repeat(70000)]: Float32Array.of(1) }), { name: 'RangeError', message: /too long for zip/ });
    assert.equal(writeNpz({ a: Float32Array.of(1) }).length, 22 + 30 + 46 + 2 * 5 + 132);
  });
});
