// torch.ao.quantization's eager-mode workflows.

export { QConfig, getDefaultQConfig, getMinMaxQConfig, getDefaultQatQConfig } from './qconfig.js';
export { FakeQuantize } from './fake-quantize.js';
export { QuantStub, DeQuantStub, Quantize, DeQuantize } from './stubs.js';
export { QuantizedLinearModule, DynamicQuantizedLinearModule } from './quantized-modules.js';
export { WeightOnlyQConfig, getWeightOnlyQConfig, WeightOnlyQuantizedLinearModule } from './weight-only.js';
export { fuseModules, prepare, prepareQat, convert, quantizeDynamic, activationObserver } from './workflows.js';
export { saveModel, loadModel } from './serialize.js';
