// Fashion-MNIST (MIT, Zalando Research) from its IDX .gz files, normalized as
// models/README.md says: fl(fl(fl(p / 255) - fl(0.2860)) / fl(0.3530)).

import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Where Debian's dataset-fashion-mnist puts the files; the committed subset is the fallback. */
export const SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
export const SUBSET_DIR = new URL('../../tests/fixtures/fashion-mnist-subset/', import.meta.url).pathname;

const f = Math.fround;
/** The float32 input of each pixel value 0..255. */
export const NORMALIZE = Float32Array.from({ length: 256 }, (_, p) => f(f(f(p / 255) - f(0.2860)) / f(0.3530)));

/**
 * Reads one split.
 * @param {'train' | 't10k'} split @param {string} [dir]
 * @returns {{ images: Float32Array, labels: Uint8Array, count: number }} images [count, 784] normalized
 */
export function loadFashion(split, dir = existsSync(`${SYSTEM_DIR}/${split}-images-idx3-ubyte.gz`) ? SYSTEM_DIR : SUBSET_DIR) {
  const img = gunzipSync(readFileSync(`${dir}/${split}-images-idx3-ubyte.gz`));
  const lab = gunzipSync(readFileSync(`${dir}/${split}-labels-idx1-ubyte.gz`));
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  if (dv.getUint32(0) !== 0x803 || dv.getUint32(8) !== 28 || dv.getUint32(12) !== 28) throw new Error(`${split}: not an IDX image file`);
  const count = dv.getUint32(4);
  const pixels = img.subarray(16, 16 + count * 784);
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = NORMALIZE[pixels[i]];
  return { images, labels: Uint8Array.from(lab.subarray(8, 8 + count)), count };
}

/**
 * Argmax of each row (first index on ties), as torch.argmax.
 * @param {Float32Array} y [n, classes] @param {number} classes @returns {Uint8Array}
 */
export function argmax(y, classes) {
  const n = y.length / classes;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (y[i * classes + j] > y[i * classes + best]) best = j;
    out[i] = best;
  }
  return out;
}
