// Type tests for the model workflows (js/nn, js/quantization): must compile under tsc --strict.
import { nn, QuantStub, DeQuantStub, getDefaultQConfig, fuseModules, prepare, convert, quantizeDynamic, QConfig, MinMaxObserver, saveModel, loadModel,
  getWeightOnlyQConfig, WeightOnlyQConfig, WeightOnlyQuantizedLinearModule, WeightOnlyQuantizedLinear } from '../../js/index.js';

const model = new nn.Sequential(new QuantStub(), new nn.Linear(4, 3), new nn.ReLU(), new DeQuantStub());
const fused: nn.Sequential = fuseModules(model, [['1', '2']]);
const prepared = prepare(fused.eval(), { qconfig: getDefaultQConfig('qnnpack') });
prepared.forward(new Float32Array(4), 1);
const int8: nn.Sequential = convert(prepared);
const dq: nn.Module = quantizeDynamic(new nn.Linear(4, 2), { perChannel: true });
const custom = new QConfig({ activation: () => new MinMaxObserver(), weight: () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' }) });
const y: Float32Array = new nn.Linear(4, 2).forward(new Float32Array(4), 1);
int8.dispose();
dq.dispose();
void custom, y;

// @ts-expect-error backends are torch's names
getDefaultQConfig('arm');
// @ts-expect-error only int8 dynamic weights
quantizeDynamic(model, { dtype: 'float16' });
const int4Config: WeightOnlyQConfig = getWeightOnlyQConfig({ bits: 4, blockSize: 64, symmetric: true, accuracyLevel: 0 });
const int4 = quantizeDynamic(new nn.Sequential(new nn.Linear(32, 2)), { qconfig: int4Config });
const first = (int4 as nn.Sequential).modules[0];
if (first instanceof WeightOnlyQuantizedLinearModule) {
  const layer: WeightOnlyQuantizedLinear = first.layer;
  const again = WeightOnlyQuantizedLinear.fromQuantized({ weight: layer.weight, bias: layer.bias, inFeatures: 32, outFeatures: 2, bits: layer.bits,
    blockSize: layer.blockSize }); // the JSDoc example's copy: a layer's blockSize is one fromQuantized takes
  const sqnr: number | undefined = layer.error?.sqnr;
  void sqnr;
  again.dispose();
}
// A weight-only module's state holds MatMulNBits's uint8 packed weights.
const packed = int4.stateDict()['0.weight'].data as Uint8Array;
void packed;
int4.dispose();
// A module's own weight-only qconfig, as quantizeDynamic() reads it (the nearest one wins).
const int8Linear = new nn.Linear(32, 2);
int8Linear.qconfig = getWeightOnlyQConfig({ bits: 8 });
const mixed = new nn.Sequential(new nn.Linear(32, 32), int8Linear);
mixed.qconfig = int4Config;
quantizeDynamic(mixed).dispose();
// @ts-expect-error weight-only blocks are 16 to 256
getWeightOnlyQConfig({ blockSize: 24 });
// @ts-expect-error 4 or 8 bits
getWeightOnlyQConfig({ bits: 2 });
// @ts-expect-error quantizeDynamic's qconfig is a weight-only one
quantizeDynamic(model, { qconfig: getDefaultQConfig() });
// @ts-expect-error a layer's error may be null (fromQuantized)
const noNull: number = new WeightOnlyQuantizedLinearModule(WeightOnlyQuantizedLinear.fromFloat(new Float32Array(64), null, { inFeatures: 32, outFeatures: 2 })).layer.error.mse;
void noNull;
// @ts-expect-error fusion groups are name lists
fuseModules(model, [[1, 2]]);
// @ts-expect-error a QConfig takes factories, not observers
new QConfig({ activation: new MinMaxObserver(), weight: new MinMaxObserver() });

const net = new nn.Sequential(new nn.Linear(4, 2));
const sgd = new nn.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
const { grad } = nn.crossEntropyLoss(net.train().forward(new Float32Array(4), 1), [1], 2);
net.backward(grad, 1);
sgd.step();
sgd.dispose();
sgd[Symbol.dispose]();
const sgdGone: boolean = sgd.disposed;
const netGone: boolean = net.disposed;
void sgdGone, netGone;
// @ts-expect-error lr is required
new nn.SGD(net.parameters(), { momentum: 0.9 });
// @ts-expect-error bias is a boolean
new nn.Linear(4, 2, { bias: 1 });
// @ts-expect-error disposed is read-only
net.disposed = false;

const savedBytes: Uint8Array = saveModel(net, { metadata: { format: 'pt' } });
const reloaded = loadModel(savedBytes);
reloaded.dispose();
// @ts-expect-error metadata values are strings
saveModel(net, { metadata: { version: 1 } });
// @ts-expect-error loadModel takes the file's bytes
loadModel('mlp.safetensors');
