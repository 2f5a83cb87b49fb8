// A tiny ONNX model encoder (protobuf wire format, only the fields used):
// enough to build one-node models for onnxruntime-web cross-checks and
// benchmarks without a protobuf dependency. Field numbers from onnx.proto3.

export const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6;

/** @param {number} v @returns {number[]} */
function varint(v) {
  const out = [];
  let x = BigInt(v);
  if (x < 0n) x += 1n << 64n;
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
}
/** @param {number} field @param {number} v */
const int = (field, v) => [...varint(field << 3), ...varint(v)];
/** @param {number} field @param {ArrayLike<number>} bytes */
const bytes = (field, bytes) => [...varint((field << 3) | 2), ...varint(bytes.length), ...Array.from(bytes)];
/** @param {number} field @param {string} s */
const str = (field, s) => bytes(field, new TextEncoder().encode(s));

/** @param {string} name @param {number} elemType @param {number[]} dims */
function valueInfo(name, elemType, dims) {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, elemType), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

/**
 * @param {string} name @param {number} elemType @param {number[]} dims
 * @param {ArrayBufferView} data raw little-endian contents
 */
function tensor(name, elemType, dims, data) {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return [...dims.flatMap((d) => int(1, d)), ...int(2, elemType), ...str(8, name), ...bytes(9, raw)];
}

/** @param {ArrayBufferView} a @returns {number} */
export function elemTypeOf(a) {
  if (a instanceof Float32Array) return FLOAT;
  if (a instanceof Uint8Array) return UINT8;
  if (a instanceof Int8Array) return INT8;
  if (a instanceof Int32Array) return INT32;
  throw new TypeError('unsupported array type');
}

/**
 * A one-node model.
 * @param {{ op: string, domain?: string, inputs: { name: string, type: number, dims: number[] }[],
 *   initializers: { name: string, dims: number[], data: ArrayBufferView }[], nodeInputs: string[],
 *   output: { name: string, type: number, dims: number[] } }} spec
 * @returns {Uint8Array}
 */
export function oneNodeModel(spec) {
  const node = [
    ...spec.nodeInputs.flatMap((n) => str(1, n)),
    ...str(2, spec.output.name),
    ...str(3, 'node0'),
    ...str(4, spec.op),
    ...(spec.domain ? str(7, spec.domain) : []),
  ];
  const graph = [
    ...bytes(1, node),
    ...str(2, 'g'),
    ...spec.initializers.flatMap((t) => bytes(5, tensor(t.name, elemTypeOf(t.data), t.dims, t.data))),
    ...spec.inputs.flatMap((i) => bytes(11, valueInfo(i.name, i.type, i.dims))),
    ...bytes(12, valueInfo(spec.output.name, spec.output.type, spec.output.dims)),
  ];
  const model = [
    ...int(1, 8), // ir_version
    ...str(2, 'qdq-wasm-tests'),
    ...bytes(7, graph),
    ...bytes(8, [...str(1, ''), ...int(2, 17)]),
    ...(spec.domain ? bytes(8, [...str(1, spec.domain), ...int(2, 1)]) : []),
  ];
  return Uint8Array.from(model);
}
