// torch.nn's modules, as qdq-wasm's `nn` namespace.

export { Module, Sequential, Identity, Flatten } from './module.js';
export { Linear, ReLU, LinearReLU } from './linear.js';
export { crossEntropyLoss, SGD } from './optim.js';
