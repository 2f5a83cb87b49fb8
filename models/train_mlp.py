#!/usr/bin/python3
"""Trains the float Fashion-MNIST MLP (784-256-128-10, models/mlp.py) once and
writes models/fashion-mlp-f32.safetensors, the float weights every accuracy
row (ours and PyTorch's) starts from.

    /usr/bin/python3 models/train_mlp.py      # torch 1.13 (Debian), about a minute

Training: SGD, lr 0.05, momentum 0.9, no weight decay, batch 64, 5 epochs over
the 60,000 training images, reshuffled each epoch by a torch.Generator seeded
with 0; parameters initialised by nn.Linear's default after
torch.manual_seed(0); one thread, so the result does not depend on the core count.
"""
import json
import os
import platform
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp import PARAMS, WEIGHTS, make_mlp  # noqa: E402
import fashion_mnist  # noqa: E402
import safetensors_min  # noqa: E402

EPOCHS, BATCH, LR, MOMENTUM, SEED = 5, 64, 0.05, 0.9, 0


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    d = fashion_mnist.load()
    assert d['source'] == 'debian', 'training needs the full dataset (apt-get install dataset-fashion-mnist)'
    xtr, ytr = fashion_mnist.normalize(d['train_images']), torch.from_numpy(d['train_labels'].astype('int64'))
    xte, yte = fashion_mnist.normalize(d['test_images']), torch.from_numpy(d['test_labels'].astype('int64'))
    model = make_mlp()
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(SEED)
    history = []
    for epoch in range(EPOCHS):
        model.train()
        t0 = time.perf_counter()
        for idx in torch.randperm(len(xtr), generator=gen).split(BATCH):
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        model.eval()
        history.append({'epoch': epoch + 1, 'seconds': round(time.perf_counter() - t0, 2),
                        'trainAccuracy': accuracy(model, xtr, ytr), 'testAccuracy': accuracy(model, xte, yte)})
        print(json.dumps(history[-1]))
    state = model.state_dict()
    assert list(state) == PARAMS, list(state)
    meta = {
        'format': 'pt', 'model': 'Fashion-MNIST MLP 784-256-128-10 (models/mlp.py)',
        'trainedBy': 'models/train_mlp.py', 'torch': torch.__version__,
        'training': json.dumps({'epochs': EPOCHS, 'batch': BATCH, 'optimizer': 'SGD', 'lr': LR,
                                'momentum': MOMENTUM, 'seed': SEED}),
        'normalize': json.dumps({'mean': fashion_mnist.MEAN, 'std': fashion_mnist.STD}),
        'testAccuracy': str(history[-1]['testAccuracy']),
    }
    safetensors_min.save(WEIGHTS, {k: v.detach().numpy() for k, v in state.items()}, meta)
    with open(os.path.join(os.path.dirname(WEIGHTS), 'fashion-mlp-f32.json'), 'w') as f:
        json.dump({'history': history, 'machine': platform.processor() or platform.machine(),
                   'torch': torch.__version__, 'threads': 1}, f, indent=1)
    print('wrote', WEIGHTS, 'test accuracy', history[-1]['testAccuracy'])


if __name__ == '__main__':
    main()
