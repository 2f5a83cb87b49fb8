#!/usr/bin/python3
"""The PyTorch side of the MLP speed comparisons (issue 9, item 7), on one thread:

  1. one float training epoch of the Fashion-MNIST MLP 784-256-128-10
     (models/mlp.py): SGD lr 0.05 momentum 0.9, batch 64, 60,000 images in a
     fixed shuffled order, cross-entropy, as models/train_mlp.py trains it;
  2. int8 inference of the 10,000 test images (one batch of 10,000, and batch 1
     per image on the first 1,000) with the static model converted on the
     qnnpack engine (fbgemm qconfig observers, 1,000 calibration images, fused
     LinearReLU, as tests/fixtures/gen_models.py builds the table's row),
     and the float model's inference for reference.

    /usr/bin/python3 bench/torch_mlp.py [--train-runs 3] [--infer-runs 10]
    /usr/bin/python3 bench/torch_mlp.py --serve     (bench/models.js: one timed run per stdin line)

--serve lets bench/models.js alternate single runs of torch's with its own on a shared
machine, so that each pair of runs shares the load of the same moment.

Prints the median and the range of each, the machine, torch's version and engine.
The data comes from /usr/share/datasets/fashion-mnist (or the committed subset,
repeated to the full sizes, when the Debian package is missing).
"""
import argparse
import copy
import json
import os
import platform
import statistics
import sys
import time
import warnings

import torch
from torch import nn
import torch.ao.quantization as tq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'models'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'fixtures'))
from mlp import FUSE, load_mlp, make_mlp  # noqa: E402
import fashion_mnist  # noqa: E402

warnings.filterwarnings('ignore', message='Please use quant_min')


def cpu_name():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {'median': statistics.median(times), 'min': min(times), 'max': max(times), 'runs': runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--train-runs', type=int, default=3)
    ap.add_argument('--infer-runs', type=int, default=10)
    ap.add_argument('--serve', action='store_true')
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.backends.quantized.engine = 'qnnpack'
    d = fashion_mnist.load()
    xtr, xte = fashion_mnist.normalize(d['train_images']), fashion_mnist.normalize(d['test_images'])
    ytr = torch.from_numpy(d['train_labels'].astype('int64'))
    if d['source'] != 'debian':  # the subset, repeated to the real sizes: same work, meaningless accuracy
        xtr, ytr, xte = xtr.repeat(30, 1), ytr.repeat(30), xte.repeat(5, 1)
    order = torch.randperm(len(xtr), generator=torch.Generator().manual_seed(0))

    torch.manual_seed(0)
    model = make_mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        model.train()
        for idx in order.split(64):
            opt.zero_grad()
            loss_fn(model(xtr[idx]), ytr[idx]).backward()
            opt.step()

    float_model = load_mlp()
    q = copy.deepcopy(float_model).eval()
    tq.fuse_modules(q, FUSE, inplace=True)
    q.qconfig = tq.get_default_qconfig('fbgemm')
    tq.prepare(q, inplace=True)
    with torch.no_grad():
        for b in xtr[:1000].split(100):
            q(b)
    tq.convert(q, inplace=True)
    rows = [xte[i:i + 1] for i in range(1000)]

    def no_grad(fn):
        def run():
            with torch.no_grad():
                fn()
        return run

    cases = {
        'train': epoch,
        'int8': no_grad(lambda: q(xte)),
        'float': no_grad(lambda: float_model(xte)),
        'int8b1': no_grad(lambda: [q(r) for r in rows]),
        'floatb1': no_grad(lambda: [float_model(r) for r in rows]),
    }
    info = {'machine': cpu_name(), 'cores': os.cpu_count(), 'threads': torch.get_num_threads(),
            'torch': torch.__version__, 'engine': torch.backends.quantized.engine, 'data': d['source']}
    if args.serve:
        serve(cases, info)
        return

    results = {'train_epoch_s': timed(epoch, args.train_runs)}
    results['int8_10k_batch_s'] = timed(cases['int8'], args.infer_runs)
    results['float_10k_batch_s'] = timed(cases['float'], args.infer_runs)
    results['int8_batch1_us'] = {k: (v * 1e3 if k != 'runs' else v) for k, v in timed(cases['int8b1'], args.infer_runs).items()}
    results['float_batch1_us'] = {k: (v * 1e3 if k != 'runs' else v) for k, v in timed(cases['floatb1'], args.infer_runs).items()}
    print(json.dumps({'info': info, 'results': results}, indent=1))
    print(f"torch {torch.__version__}, 1 thread, {info['machine']}")
    print(f"float training epoch (batch 64): median {results['train_epoch_s']['median']:.2f} s")
    print(f"int8 static (qnnpack) 10k test images: median {results['int8_10k_batch_s']['median'] * 1e3:.1f} ms")
    print(f"float 10k test images: median {results['float_10k_batch_s']['median'] * 1e3:.1f} ms")
    print(f"int8 batch-1 latency: median {results['int8_batch1_us']['median']:.1f} us per image")


def serve(cases, info):
    """bench/models.js's peer: prints the info as one JSON line, then for each case name read from
    stdin ('train', 'int8', 'float', 'int8b1', 'floatb1') runs it once and prints {"s": seconds}.
    The caller alternates these runs with its own, so each pair shares the machine's load."""
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        t0 = time.perf_counter()
        cases[name]()
        print(json.dumps({'s': time.perf_counter() - t0}), flush=True)


if __name__ == '__main__':
    main()
