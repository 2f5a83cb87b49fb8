// Weights in and out: safetensors, .npy and .npz, in plain JavaScript.
export { readSafetensors, writeSafetensors } from './safetensors.js';
export { readNpy, writeNpy } from './npy.js';
export { readNpz, writeNpz } from './npz.js';
