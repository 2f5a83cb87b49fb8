// Fashion-MNIST: IDX parsing, the models/README.md normalization and the
// prediction of a row of logits, with no Node or DOM dependency (the lab's
// worker, the Node tests and scripts/lib/fashion-mnist.js all use it).

/** The ten class names, in label order. */
export const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const f = Math.fround;
/** The float32 model input of each pixel value: fl(fl(fl(p / 255) − fl(0.2860)) / fl(0.3530)), as models/README.md. */
export const NORMALIZE = Float32Array.from({ length: 256 }, (_, p) => f(f(f(p / 255) - f(0.2860)) / f(0.3530)));

/**
 * One split from its decompressed IDX files.
 * @param {Uint8Array} imageBytes an idx3-ubyte file (magic 0x803, 28×28)
 * @param {Uint8Array} labelBytes an idx1-ubyte file (magic 0x801)
 * @returns {{ pixels: Uint8Array, images: Float32Array, labels: Uint8Array, count: number }}
 *   pixels [count, 784] as stored, images the normalized model inputs
 */
export function parseIdx(imageBytes, labelBytes) {
  const dv = new DataView(imageBytes.buffer, imageBytes.byteOffset, imageBytes.byteLength);
  if (imageBytes.length < 16 || dv.getUint32(0) !== 0x803 || dv.getUint32(8) !== 28 || dv.getUint32(12) !== 28) {
    throw new Error('not an IDX file of 28×28 images');
  }
  const lv = new DataView(labelBytes.buffer, labelBytes.byteOffset, labelBytes.byteLength);
  if (labelBytes.length < 8 || lv.getUint32(0) !== 0x801) throw new Error('not an IDX label file');
  const count = Math.min(dv.getUint32(4), lv.getUint32(4));
  if (imageBytes.length < 16 + count * 784 || labelBytes.length < 8 + count) throw new Error('IDX file shorter than its header says');
  const pixels = imageBytes.slice(16, 16 + count * 784);
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = NORMALIZE[pixels[i]];
  return { pixels, images, labels: labelBytes.slice(8, 8 + count), count };
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
