#!/usr/bin/python3
"""Times torch 1.13's HistogramObserver for bench/observers.js (run with
/usr/bin/python3). Same workload: a fixed observer fed batches of N standard
normal floats whose scale grows by 1% per batch (every batch merges), then
calculate_qparams(). One thread. Prints one JSON line: median ms per batch
and per calculate_qparams over RUNS runs."""
import json
import os
import sys
import time

import numpy as np
import torch
from torch.ao.quantization.observer import HistogramObserver

torch.set_num_threads(1)
N = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 20
BATCHES = int(os.environ.get("QDQ_BENCH_BATCHES", 8))
RUNS = int(os.environ.get("QDQ_BENCH_RUNS", 5))
r = np.random.RandomState(0)
base = r.randn(N).astype(np.float32)
batches = [torch.from_numpy(base * np.float32(1.01 ** i)) for i in range(BATCHES)]
observe, qparams = [], []
for run in range(RUNS + 1):
    obs = HistogramObserver()
    t0 = time.perf_counter()
    for b in batches:
        obs(b)
    t1 = time.perf_counter()
    obs.calculate_qparams()
    t2 = time.perf_counter()
    if run:  # the first run warms up
        observe.append((t1 - t0) * 1e3 / BATCHES)
        qparams.append((t2 - t1) * 1e3)
print(json.dumps({"torch": torch.__version__, "n": N, "observeMs": sorted(observe)[len(observe) // 2],
                  "qparamsMs": sorted(qparams)[len(qparams) // 2]}))
