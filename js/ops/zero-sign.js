// The sign of a zero extreme, as torch 1.13's CPU reductions leave it. The C
// kernels find min and max by value; when an extreme is 0 and the data holds
// zeros of both signs, which one torch returns depends on its reduction's
// order and tie rule, reproduced here from the data (docs/observers.md, Z1-Z3):
//   torch.aminmax(x)          (per tensor)  -> aminmaxZero
//   torch.aminmax(y, dim=1)   (per channel) -> firstZeroOfChannel
// Each scans only until the zeros that decide are found: a few elements for
// data with many zeros (ReLU outputs), the whole tensor (or channel) when its
// only zeros sit at the wrong end. Established against this machine's torch
// 1.13 (AVX2 kernels, one thread: tests/fixtures/gen_quantization.py,
// observer cases "signed zeros").

import { lengthOf } from '../runtime/validate.js';

/**
 * The signed zero torch.aminmax(x) returns for an extreme equal to 0 (Z1):
 * reduce2_all over 8-float lanes (AVX2 Vectorized<float>), element i in lane
 * i mod 8, each lane updated by _mm256_min_ps / _mm256_max_ps (a tie keeps
 * the newer value: the last zero of the lane wins), then the lanes combined
 * by the 128-, 64- and 32-bit shuffles of vec_reduce_all (a tie keeps the
 * shuffled lane: lanes 4-7 over 0-3, then 2-3 over 0-1, then 1 over 0);
 * fewer than 8 elements are reduced in order, the last zero winning. The same
 * for min and max: only zeros compete for a zero extreme. One chunk: torch
 * on one thread, or x of at most 32768 elements (internal::GRAIN_SIZE); more
 * threads split a larger x into chunks whose results combine first-wins.
 * @param {Float32Array} x a tensor whose min or max is ±0
 * @returns {number | undefined} +0 or -0; undefined when x holds no zero
 */
export function aminmaxZero(x) {
  const n = lengthOf(x);
  if (n < 8) {
    for (let i = n - 1; i >= 0; i--) if (x[i] === 0) return x[i];
    return undefined;
  }
  /** @type {(number | undefined)[]} each lane's last zero */
  const lane = new Array(8).fill(undefined);
  for (let i = n - 1, found = 0; i >= 0 && found < 8; i--) {
    if (x[i] === 0 && lane[i & 7] === undefined) {
      lane[i & 7] = x[i];
      found++;
    }
  }
  // op(a, b) of two lanes: b when it holds a zero (a tie or a smaller extreme), else a.
  const op = (/** @type {number | undefined} */ a, /** @type {number | undefined} */ b) => (b !== undefined ? b : a);
  const w = [0, 1, 2, 3].map((j) => op(lane[j], lane[j + 4]));
  return op(op(w[0], w[2]), op(w[1], w[3]));
}

/**
 * For each channel whose min or max is 0, the sign torch.aminmax(y, dim=1)
 * gives it (Z2), written into mins / maxs: y is x with the channel axis
 * swapped with axis 0 and the rest flattened in order (the per-channel
 * observers' permute + flatten); the kernel walks each row from its first
 * element and replaces min (max) only by a strictly smaller (larger) value,
 * so a zero extreme is the row's first zero.
 * @param {Float32Array} x @param {{ shape: number[], axis: number, channels: number }} lay
 * @param {Float32Array} mins @param {Float32Array} maxs
 */
export function perChannelZeroSigns(x, lay, mins, maxs) {
  for (let c = 0; c < lay.channels; c++) {
    if (mins[c] === 0 || maxs[c] === 0) {
      const z = firstZeroOfChannel(x, lay.shape, lay.axis, c);
      if (mins[c] === 0) mins[c] = z;
      if (maxs[c] === 0) maxs[c] = z;
    }
  }
}

/**
 * The first zero of channel c in the order of x.permute(swap 0 and axis).flatten(1)[c].
 * @param {Float32Array} x @param {number[]} shape @param {number} axis @param {number} c
 * @returns {number} +0 or -0 (+0 when the channel holds no zero)
 */
function firstZeroOfChannel(x, shape, axis, c) {
  const rank = shape.length;
  const strides = new Array(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  // The other dimensions in y's order: perm = [axis, 1, ..., axis - 1, 0, axis + 1, ...].
  const dims = [];
  for (let k = 1; k < rank; k++) dims.push(k === axis ? 0 : k);
  const size = dims.map((d) => shape[d]), step = dims.map((d) => strides[d]);
  if (size.some((s) => s === 0)) return 0;
  const idx = new Array(dims.length).fill(0);
  let at = c * strides[axis];
  for (;;) {
    if (x[at] === 0) return x[at];
    let k = dims.length - 1;
    for (; k >= 0; k--) {
      at += step[k];
      if (++idx[k] < size[k]) break;
      at -= step[k] * size[k];
      idx[k] = 0;
    }
    if (k < 0) return 0;
  }
}
