"""The Fashion-MNIST MLP shared by models/train_mlp.py, tests/fixtures/gen_models.py
and bench/torch_mlp.py.

    index  module                      parameters (state_dict names, shapes)
    0      QuantStub                   -
    1      Linear(784, 256)            '1.weight' [256, 784], '1.bias' [256]
    2      ReLU                        -
    3      Linear(256, 128)            '3.weight' [128, 256], '3.bias' [128]
    4      ReLU                        -
    5      Linear(128, 10)             '5.weight' [10, 128],  '5.bias' [10]
    6      DeQuantStub                 -

Inputs are [N, 784] float32 (pixels through the normalisation table of
tests/fixtures/fashion_mnist.py), so no Flatten is needed. The stubs are
identities in float mode and make eager-mode static quantization and QAT work
(`prepare` observes at 0, `convert` turns 0 into Quantize and 6 into DeQuantize).
Fusion for static quantization and QAT: [['1', '2'], ['3', '4']].
"""
import os
import sys

import torch
from torch import nn
from torch.ao.quantization import DeQuantStub, QuantStub

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'fixtures'))

WEIGHTS = os.path.join(ROOT, 'models', 'fashion-mlp-f32.safetensors')
FUSE = [['1', '2'], ['3', '4']]
PARAMS = ['1.weight', '1.bias', '3.weight', '3.bias', '5.weight', '5.bias']


def make_mlp(sizes=(784, 256, 128, 10)):
    layers = [QuantStub()]
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    layers.append(DeQuantStub())
    return nn.Sequential(*layers)


def load_mlp(path=WEIGHTS):
    import safetensors_min
    tensors, _ = safetensors_min.load(path)
    model = make_mlp()
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()})
    return model.eval()
