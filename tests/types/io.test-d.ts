// Type tests of js/io/index.d.ts: must compile; each misuse is an expected error.
import { readNpy, readNpz, readSafetensors, writeNpy, writeNpz, writeSafetensors, type SafetensorsFile } from '../../js/index.js';

const file: SafetensorsFile = readSafetensors(new Uint8Array(8), { half: 'raw', int64: 'number' });
const meta: Record<string, string> | null = file.metadata;
const shape: number[] | undefined = file.tensors.get('1.weight')?.shape;
readSafetensors(new ArrayBuffer(8));
const out: Uint8Array = writeSafetensors({ w: { shape: [2], data: Float32Array.of(1, 2) }, h: { dtype: 'F16', data: new Uint16Array(1) } }, { metadata: { format: 'pt' } });
writeSafetensors(new Map([['zp', { data: BigInt64Array.of(0n) }]]));
const npy = readNpy(out);
const v: [number, number] = npy.version;
writeNpy(Float32Array.of(1), { shape: [1], dtype: '<f2', version: 2 });
async function npz(): Promise<void> {
  const m = await readNpz(writeNpz({ a: Int8Array.of(1), b: { data: Float32Array.of(1), shape: [1, 1] } }));
  void m.get('a')?.data;
}
void [meta, shape, v, npz];

// @ts-expect-error unknown half mode
readSafetensors(new Uint8Array(8), { half: 'float16' });
// @ts-expect-error unknown dtype
writeSafetensors({ w: { dtype: 'F128', data: new Float32Array(1) } });
// @ts-expect-error data must be a typed array
writeSafetensors({ w: { data: [1, 2] } });
// @ts-expect-error metadata values are strings
writeSafetensors({}, { metadata: { epochs: 5 } });
// @ts-expect-error Fortran-order and complex dtypes are not written
writeNpy(Float32Array.of(1), { dtype: '<c8' });
// @ts-expect-error readNpz returns a promise, not a Map
const notMap: Map<string, unknown> = readNpz(new Uint8Array(0));
void notMap;
