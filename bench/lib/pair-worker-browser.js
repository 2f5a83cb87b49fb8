// lib/pair-worker.js for a page (bench/threads-browser.js): a module Web
// Worker running whole copies of a benchmark call, taken one at a time from
// the region the page hands out, on the -mt build on one thread (initSync),
// in a memory of its own, on operands of its own.
import * as qdq from '../../js/index.js';
import { gemmOperands } from './gemm-operands.js';
import { serveRegions } from './pair-control.js';

/** @type {Int32Array} */
let c;
let index = 0;

self.onmessage = async (/** @type {MessageEvent} */ e) => {
  const d = e.data;
  if (d.c !== undefined) {
    c = d.c;
    index = d.index;
    const bytes = new Uint8Array(await (await fetch(new URL(`../../dist/qdq-${d.build}-mt.wasm`, import.meta.url))).arrayBuffer());
    qdq.initSync(bytes, { build: d.build });
    self.postMessage('started');
    return;
  }
  const ops = gemmOperands(d.m, d.k, d.n, 12345 + index);
  const serve = serveRegions(c, [ops.dql, ops.u8s8]);
  self.postMessage('ready');
  serve();
  ops.dispose();
};
