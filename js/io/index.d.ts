// Types of js/io: safetensors, .npy and .npz readers and writers (pure JavaScript, no wasm).

/** Anything holding a file's bytes: Uint8Array (Node's Buffer included), ArrayBuffer or another view. */
export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView;

/** safetensors dtypes qdq-wasm reads and writes (F8_E5M2 / F8_E4M3 are refused). */
export type SafetensorsDtype =
  | 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

/** Element typed arrays a reader may return (see `ReadOptions` for F16/BF16/I64). */
export type TensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

export interface ReadOptions {
  /** F16 / BF16 (safetensors) and `<f2` (.npy): `'float32'` (default) decodes exactly to Float32Array; `'raw'` keeps the bits as Uint16Array. */
  half?: 'float32' | 'raw';
  /** I64 / `<i8`: `'bigint'` (default) gives BigInt64Array; `'number'` a Float64Array, RangeError past ±(2^53 − 1). */
  int64?: 'bigint' | 'number';
}

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  /** C-order dimensions; `[]` is a scalar. */
  shape: number[];
  /** A copy, decoded for this host. */
  data: TensorData;
}

export interface SafetensorsFile {
  /** Tensors in file (offset) order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The `__metadata__` string map, or null when the file has none. */
  metadata: Record<string, string> | null;
}

/** A tensor to write: `dtype` defaults from the typed array (required for Uint16Array). */
export interface SafetensorsInput {
  dtype?: SafetensorsDtype;
  /** Default `[data.length]`. */
  shape?: number[];
  /** F16/BF16 also take Float32Array values (rounded to nearest even); I64 also takes a Float64Array of safe integers. */
  data: TensorData;
}

/**
 * Parses a safetensors file; every rule of the format is checked before a byte is copied out.
 * @param bytes the whole file
 * @param options how to return F16/BF16 and I64 tensors
 * @returns tensors (copies) in file order and the metadata map
 * @throws {TypeError} when `bytes` is not bytes
 * @throws {RangeError} for a malformed or hostile file (the message names the rule and the tensor)
 * @example
 * const { tensors } = readSafetensors(fs.readFileSync('fashion-mlp-f32.safetensors'));
 * const w = tensors.get('1.weight')!; // { dtype: 'F32', shape: [256, 784], data: Float32Array }
 */
export function readSafetensors(bytes: Bytes, options?: ReadOptions): SafetensorsFile;

/**
 * Writes a safetensors file laid out as the Rust writer does (dtype then name order,
 * compact JSON, header padded with spaces to 8 bytes, little-endian data).
 * @param tensors name → tensor (a Map keeps any order; the file's order is the writer's)
 * @param options `metadata`: strings written as `__metadata__`
 * @returns the file's bytes
 * @throws {TypeError} for data that is not a typed array, a shape that is not an array of numbers, a dtype
 *   that is not a string, or non-string metadata
 * @throws {RangeError} for an unknown dtype, a negative or fractional dimension, a shape that does not match
 *   the data, or the name `__metadata__`
 * @example
 * const bytes = writeSafetensors({ '1.weight': { shape: [2, 3], data: new Float32Array(6) } }, { metadata: { format: 'pt' } });
 */
export function writeSafetensors(
  tensors: Map<string, SafetensorsInput> | Record<string, SafetensorsInput>,
  options?: { metadata?: Record<string, string> },
): Uint8Array;

/** .npy descr strings qdq-wasm reads (`>` variants of the multi-byte ones too) and writes. */
export type NpyDescr = '<f2' | '<f4' | '<f8' | '|i1' | '|u1' | '<i2' | '<u2' | '<i4' | '<u4' | '<i8';

export interface NpyArray {
  /** As in the file, e.g. `'<f4'` or `'>f4'`. */
  descr: string;
  shape: number[];
  data: TensorData;
  /** Format version, `[1, 0]`, `[2, 0]` or `[3, 0]`. */
  version: [number, number];
}

/**
 * Parses a .npy file (versions 1.0–3.0); the data comes back in C order, also from a Fortran-order file.
 * @param bytes the whole file
 * @param options how to return `<f2` and `<i8` arrays
 * @throws {TypeError} when `bytes` is not bytes
 * @throws {RangeError} for a malformed file or an unsupported dtype
 * @example
 * const { shape, data } = readNpy(fs.readFileSync('x.npy'));
 */
export function readNpy(bytes: Bytes, options?: ReadOptions): NpyArray;

/**
 * Writes a .npy file byte-identical to numpy 1.24's `np.save`.
 * @param data the elements, C order (`<f2` takes Float32Array values or Uint16Array bits)
 * @param options `shape` (default `[data.length]`), `dtype` (default from the typed array),
 *   `version` (default 1, or 2 when the header outgrows 1.0)
 * @throws {TypeError} for data that is not a supported typed array, a shape that is not an array of numbers,
 *   a dtype that is not a string, a version that is not a number
 * @throws {RangeError} for a negative or fractional dimension, a shape that does not match the data, an
 *   unsupported dtype or version
 * @example
 * fs.writeFileSync('w.npy', writeNpy(new Float32Array(6), { shape: [2, 3] }));
 */
export function writeNpy(data: TensorData, options?: { shape?: number[]; dtype?: NpyDescr; version?: 1 | 2 | 3 }): Uint8Array;

/**
 * Reads a .npz archive (np.savez, stored; np.savez_compressed, deflate through
 * `DecompressionStream('deflate-raw')`, hence async).
 * @param bytes the whole archive
 * @param options passed to `readNpy` for each entry
 * @returns entry name without `.npy` → array, in archive order; entries that are not arrays (no
 *   `.npy` name and no `\x93NUMPY` magic, which `np.load` returns as bytes) are skipped
 * @throws {RangeError} (rejected) for a malformed archive or entry, a CRC-32 mismatch, or a
 *   declared size that deflate cannot reach from the entry's bytes
 * @example
 * const arrays = await readNpz(fs.readFileSync('w.npz'));
 */
export function readNpz(bytes: Bytes, options?: ReadOptions): Promise<Map<string, NpyArray>>;

/**
 * Writes a .npz archive of stored `.npy` entries with CRC-32s and fixed timestamps (reproducible bytes).
 * @param arrays name → typed array, or `{ data, shape, dtype }` as `writeNpy` takes them
 * @throws {TypeError | RangeError} as `writeNpy`, the message naming the array (`arrays["w"]: …`)
 * @example
 * fs.writeFileSync('w.npz', writeNpz({ w: { data: weights, shape: [256, 784] }, b: bias }));
 */
export function writeNpz(
  arrays:
    | Map<string, TensorData | { data: TensorData; shape?: number[]; dtype?: NpyDescr }>
    | Record<string, TensorData | { data: TensorData; shape?: number[]; dtype?: NpyDescr }>,
): Uint8Array;
