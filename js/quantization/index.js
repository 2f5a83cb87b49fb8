// torch.ao.quantization's eager-mode workflows.

export { QConfig, getDefaultQConfig, getMinMaxQConfig } from './qconfig.js';
export { QuantStub, DeQuantStub, Quantize, DeQuantize } from './stubs.js';
export { QuantizedLinearModule, DynamicQuantizedLinearModule } from './quantized-modules.js';
export { fuseModules, prepare, convert, quantizeDynamic, activationObserver } from './workflows.js';
