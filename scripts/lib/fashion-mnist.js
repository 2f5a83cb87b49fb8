// Fashion-MNIST (MIT, Zalando Research) from its IDX .gz files in Node: the
// parsing and normalization are the lab's (web/lab/data.js), so the page, the
// tests and `npm run models` feed the model the same floats.

import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { argmax, NORMALIZE, parseIdx } from '../../web/lab/data.js';

export { argmax, NORMALIZE };

/** Where Debian's dataset-fashion-mnist puts the files; the committed subset is the fallback. */
export const SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
export const SUBSET_DIR = new URL('../../tests/fixtures/fashion-mnist-subset/', import.meta.url).pathname;

/**
 * Reads one split.
 * @param {'train' | 't10k'} split @param {string} [dir]
 * @returns {{ images: Float32Array, labels: Uint8Array, count: number }} images [count, 784] normalized
 */
export function loadFashion(split, dir = existsSync(`${SYSTEM_DIR}/${split}-images-idx3-ubyte.gz`) ? SYSTEM_DIR : SUBSET_DIR) {
  const { images, labels, count } = parseIdx(gunzipSync(readFileSync(`${dir}/${split}-images-idx3-ubyte.gz`)),
    gunzipSync(readFileSync(`${dir}/${split}-labels-idx1-ubyte.gz`)));
  return { images, labels, count };
}
