// A minimal ONNX model encoder (protobuf wire format, no dependencies), for
// tests and benchmarks that run tiny models through onnxruntime-web.
//
// It writes ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto
// and ValueInfoProto with the field numbers of onnx/onnx.proto (proto2).
// Repeated scalars are written unpacked (the proto2 default; protobuf
// parsers accept both); tensor contents go in raw_data, little-endian.
//
// @example
// import { model, node, tensor, valueInfo, DataType } from '../helpers/onnx-model.js';
// const bytes = model({
//   opset: 13,
//   nodes: [node('QuantizeLinear', ['x', 's', 'zp'], ['y'], { axis: 1 })],
//   initializers: [tensor('s', DataType.FLOAT, [], [0.5]), tensor('zp', DataType.INT8, [], [3])],
//   inputs: [valueInfo('x', DataType.FLOAT, ['n'])],
//   outputs: [valueInfo('y', DataType.INT8, ['n'])],
// });
// const session = await ort.InferenceSession.create(bytes);

/** TensorProto.DataType */
export const DataType = Object.freeze({
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, UINT4: 21, INT4: 22,
});

/** Typed-array constructor of each DataType's raw_data. */
const RAW = {
  [DataType.FLOAT]: Float32Array, [DataType.UINT8]: Uint8Array, [DataType.INT8]: Int8Array,
  [DataType.UINT16]: Uint16Array, [DataType.INT16]: Int16Array, [DataType.INT32]: Int32Array,
  [DataType.INT64]: BigInt64Array, [DataType.BOOL]: Uint8Array, [DataType.FLOAT16]: Uint16Array,
  [DataType.DOUBLE]: Float64Array, [DataType.UINT32]: Uint32Array, [DataType.UINT64]: BigUint64Array,
};

/** AttributeProto.AttributeType */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 };

/** Protobuf writer: fields appended in order, nested messages as bytes. */
class Writer {
  constructor() {
    /** @type {number[]} */
    this.bytes = [];
  }

  /** @param {number | bigint} v an unsigned or negative (two's complement, 10 bytes) integer */
  varint(v) {
    let b = BigInt.asUintN(64, BigInt(v));
    do {
      let byte = Number(b & 0x7fn);
      b >>= 7n;
      if (b !== 0n) byte |= 0x80;
      this.bytes.push(byte);
    } while (b !== 0n);
    return this;
  }

  /** @param {number} field @param {number} wire */
  key(field, wire) {
    return this.varint((field << 3) | wire);
  }

  /** int32/int64/enum/bool field. @param {number} field @param {number | bigint} v */
  int(field, v) {
    return this.key(field, 0).varint(v);
  }

  /** float field (fixed32). @param {number} field @param {number} v */
  float(field, v) {
    this.key(field, 5);
    this.bytes.push(...new Uint8Array(Float32Array.of(v).buffer));
    return this;
  }

  /** bytes or nested-message field. @param {number} field @param {Uint8Array | number[]} data */
  bytesField(field, data) {
    this.key(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  /** string field (UTF-8). @param {number} field @param {string} s */
  string(field, s) {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  /** @returns {Uint8Array} */
  finish() {
    return Uint8Array.from(this.bytes);
  }
}

/**
 * A TensorProto (an initializer, or an attribute value).
 * @param {string} name
 * @param {number} dataType a DataType
 * @param {number[]} dims [] for a scalar
 * @param {ArrayLike<number | bigint> | ArrayBufferView} values row-major; converted to the dtype's typed array
 * @returns {{ kind: 'tensor', bytes: Uint8Array }}
 */
export function tensor(name, dataType, dims, values) {
  const Type = RAW[dataType];
  if (Type === undefined) throw new TypeError(`onnx-model: no raw_data encoding for data type ${dataType}`);
  const count = dims.reduce((a, b) => a * b, 1);
  const typed = Type === BigInt64Array || Type === BigUint64Array
    ? Type.from(/** @type {ArrayLike<any>} */ (values), (v) => BigInt(v))
    : Type.from(/** @type {ArrayLike<number>} */ (values));
  if (typed.length !== count) throw new RangeError(`onnx-model: tensor ${name} has dims [${dims}] but ${typed.length} values`);
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, dataType);
  w.string(8, name);
  w.bytesField(9, new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
  return { kind: 'tensor', bytes: w.finish() };
}

/**
 * A TensorProto from raw little-endian bytes as they are, for element types
 * that typed arrays cannot hold (int4/uint4: two per byte, low nibble first).
 * @param {string} name @param {number} dataType @param {number[]} dims @param {Uint8Array} bytes
 * @returns {{ kind: 'tensor', bytes: Uint8Array }}
 */
export function rawTensor(name, dataType, dims, bytes) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, dataType);
  w.string(8, name);
  w.bytesField(9, bytes);
  return { kind: 'tensor', bytes: w.finish() };
}

/** Attribute value wrappers, for when a plain JS value is ambiguous (1 vs 1.0). */
export const attr = {
  /** @param {number} v */ int: (v) => ({ type: AttrType.INT, value: v }),
  /** @param {number} v */ float: (v) => ({ type: AttrType.FLOAT, value: v }),
  /** @param {number[]} v */ ints: (v) => ({ type: AttrType.INTS, value: v }),
  /** @param {number[]} v */ floats: (v) => ({ type: AttrType.FLOATS, value: v }),
  /** @param {string} v */ string: (v) => ({ type: AttrType.STRING, value: v }),
  /** @param {string[]} v */ strings: (v) => ({ type: AttrType.STRINGS, value: v }),
};

/**
 * @param {string} name
 * @param {any} v a number (INT when integral, else FLOAT), an array of
 *   numbers (INTS when all integral, else FLOATS), a string, a tensor(), or an attr.* wrapper
 * @returns {Uint8Array} AttributeProto
 */
function attribute(name, v) {
  let a = v;
  if (typeof v === 'number') a = Number.isInteger(v) ? attr.int(v) : attr.float(v);
  else if (typeof v === 'string') a = attr.string(v);
  else if (Array.isArray(v)) a = v.every((e) => Number.isInteger(e)) ? attr.ints(v) : attr.floats(v);
  else if (v && v.kind === 'tensor') a = { type: AttrType.TENSOR, value: v };
  const w = new Writer().string(1, name);
  switch (a.type) {
    case AttrType.FLOAT: w.float(2, a.value); break;
    case AttrType.INT: w.int(3, a.value); break;
    case AttrType.STRING: w.string(4, a.value); break;
    case AttrType.TENSOR: w.bytesField(5, a.value.bytes); break;
    case AttrType.FLOATS: for (const f of a.value) w.float(7, f); break;
    case AttrType.INTS: for (const i of a.value) w.int(8, i); break;
    case AttrType.STRINGS: for (const s of a.value) w.string(9, s); break;
    default: throw new TypeError(`onnx-model: attribute ${name} has an unsupported value`);
  }
  w.int(20, a.type);
  return w.finish();
}

/**
 * A NodeProto.
 * @param {string} opType e.g. 'QuantizeLinear', 'MatMulInteger', 'QLinearMatMul'
 * @param {string[]} inputs names; '' for an omitted optional input
 * @param {string[]} outputs names
 * @param {Record<string, any>} [attributes] see attribute()
 * @param {{ name?: string, domain?: string }} [opts] domain: e.g. 'com.microsoft' for contrib ops
 * @returns {Uint8Array}
 */
export function node(opType, inputs, outputs, attributes = {}, opts = {}) {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, opts.name ?? `${opType}_${outputs[0] ?? ''}`);
  w.string(4, opType);
  for (const [k, v] of Object.entries(attributes)) w.bytesField(5, attribute(k, v));
  if (opts.domain) w.string(7, opts.domain);
  return w.finish();
}

/**
 * A ValueInfoProto of a tensor (graph input or output).
 * @param {string} name
 * @param {number} elemType a DataType
 * @param {(number | string | null)[] | null} shape numbers are fixed dims, strings symbolic
 *   (dim_param), null an unknown dim; a null shape leaves the rank unknown
 * @returns {Uint8Array}
 */
export function valueInfo(name, elemType, shape) {
  const tensorType = new Writer().int(1, elemType);
  if (shape !== null) {
    const s = new Writer();
    for (const d of shape) {
      const dim = new Writer();
      if (typeof d === 'number') dim.int(1, d);
      else if (typeof d === 'string') dim.string(2, d);
      s.bytesField(1, dim.finish());
    }
    tensorType.bytesField(2, s.finish());
  }
  const type = new Writer().bytesField(1, tensorType.finish());
  return new Writer().string(1, name).bytesField(2, type.finish()).finish();
}

/**
 * A serialized ModelProto with one graph.
 * @param {{
 *   nodes: Uint8Array[], inputs: Uint8Array[], outputs: Uint8Array[],
 *   initializers?: { kind: 'tensor', bytes: Uint8Array }[],
 *   opset?: number, opsets?: { domain: string, version: number }[],
 *   irVersion?: number, name?: string,
 * }} g opset is the default domain's version (13 unless given); opsets adds others
 * @returns {Uint8Array} bytes for ort.InferenceSession.create()
 */
export function model(g) {
  const graph = new Writer();
  for (const n of g.nodes) graph.bytesField(1, n);
  graph.string(2, g.name ?? 'qdq-wasm-test');
  for (const t of g.initializers ?? []) graph.bytesField(5, t.bytes);
  for (const i of g.inputs) graph.bytesField(11, i);
  for (const o of g.outputs) graph.bytesField(12, o);
  const m = new Writer();
  m.int(1, g.irVersion ?? 7);
  m.string(2, 'qdq-wasm tests');
  m.bytesField(7, graph.finish());
  const opsets = [{ domain: '', version: g.opset ?? 13 }, ...(g.opsets ?? [])];
  for (const o of opsets) {
    const op = new Writer();
    if (o.domain) op.string(1, o.domain);
    op.int(2, o.version);
    m.bytesField(8, op.finish());
  }
  return m.finish();
}

/**
 * The DataType of a typed array's elements.
 * @param {ArrayBufferView} a @returns {number}
 */
export function elemTypeOf(a) {
  if (a instanceof Float32Array) return DataType.FLOAT;
  if (a instanceof Uint8Array) return DataType.UINT8;
  if (a instanceof Int8Array) return DataType.INT8;
  if (a instanceof Int32Array) return DataType.INT32;
  throw new TypeError(`onnx-model: no DataType for ${a?.constructor?.name}`);
}

/**
 * A one-node model (opset 17; `domain` for contrib ops such as com.microsoft's
 * DynamicQuantizeMatMul), the shape the GEMM cross-checks and benchmarks use.
 * @param {{ op: string, domain?: string, inputs: { name: string, type: number, dims: number[] }[],
 *   initializers: { name: string, dims: number[], data: Float32Array | Int8Array | Uint8Array | Int32Array }[],
 *   nodeInputs: string[], output: { name: string, type: number, dims: number[] } }} spec
 * @returns {Uint8Array}
 */
export function oneNodeModel(spec) {
  return model({
    irVersion: 8,
    opset: 17,
    opsets: spec.domain ? [{ domain: spec.domain, version: 1 }] : [],
    nodes: [node(spec.op, spec.nodeInputs, [spec.output.name], {}, { name: 'node0', domain: spec.domain })],
    initializers: spec.initializers.map((t) => tensor(t.name, elemTypeOf(t.data), t.dims, t.data)),
    inputs: spec.inputs.map((i) => valueInfo(i.name, i.type, i.dims)),
    outputs: [valueInfo(spec.output.name, spec.output.type, spec.output.dims)],
  });
}
