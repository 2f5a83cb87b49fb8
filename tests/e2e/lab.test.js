// The model lab (web/lab.html) in headless Chromium: run-all within its time budget and
// with int8 accuracy near float, weight-only rows equal to the library's own run, static runs that follow the observer and the calibration
// size, the bit-width control with QAT, the gallery, the look inside, URL state, cancel,
// a responsive main thread while training, phone width, and no errors or foreign requests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { out, startPageBrowser } from '../helpers/page-browser.js';

/** @type {import('playwright-core').Browser} */
let browser;
let base = '';
/** @type {Awaited<ReturnType<typeof startPageBrowser>> | undefined} */
let session;

before(async () => {
  session = await startPageBrowser();
  ({ browser, base } = session);
});

after(async () => {
  await session?.close();
});

/**
 * Opens the lab and collects console errors, uncaught exceptions and requests to anywhere but the server.
 * @param {string} query @param {{ width: number, height: number }} [viewport]
 */
async function open(query = '', viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  /** @type {string[]} */
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) errors.push(`request to ${r.url()}`); });
  await page.goto(`${base}/lab.html${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  return { page, errors };
}

/** The results rows: workflow, accuracy, agreement, bytes, latency, settings, and the cells shown. @param {import('playwright-core').Page} page */
const rows = (page) => page.$$eval('#results-table tbody tr', (trs) => trs.map((tr) => {
  const d = /** @type {HTMLElement} */ (tr).dataset;
  return {
    workflow: d.workflow, accuracy: Number(d.accuracy), agreement: Number(d.agreement), bytes: Number(d.bytes), latencyMs: Number(d.latencyMs),
    settings: JSON.parse(d.settings ?? '{}'), label: tr.querySelector('th')?.textContent, cells: [...tr.children].map((c) => c.textContent),
  };
}));

/**
 * What the library itself gives, in the page's browser, for the committed float MLP under quantizeDynamic with a
 * weight-only qconfig: test accuracy and agreement with the float model on the subset's 2,000 test images, the
 * model's byteLength() and the sum of its stateDict()'s bytes, and each Linear's weight SQNR (the layer's error).
 * @param {import('playwright-core').Page} page @param {{ bits: 4 | 8, blockSize: 16 | 32 | 64 | 128 | 256, symmetric: boolean }} qc
 */
function libraryWeightOnly(page, qc) {
  return page.evaluate(async (qc) => {
    const q = await import('/js/index.js');
    const { parseIdx } = await import('/lab/data.js');
    await q.init({ numThreads: 1 });
    /** @param {string} url */
    const bytes = async (url) => {
      const b = new Uint8Array(await (await fetch(url)).arrayBuffer());
      // The .gz files: decompressed here unless the server sent them with Content-Encoding: gzip.
      if (b[0] !== 0x1f || b[1] !== 0x8b) return b;
      return new Uint8Array(await new Response(new Blob([b]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    };
    const dir = '/tests/fixtures/fashion-mnist-subset/';
    const test = parseIdx(await bytes(`${dir}t10k-images-idx3-ubyte.gz`), await bytes(`${dir}t10k-labels-idx1-ubyte.gz`));
    const weights = q.readSafetensors(await bytes('/models/fashion-mlp-f32.safetensors')).tensors;
    const mlp = () => new q.nn.Sequential(new q.QuantStub(), new q.nn.Linear(784, 256), new q.nn.ReLU(), new q.nn.Linear(256, 128), new q.nn.ReLU(),
      new q.nn.Linear(128, 10), new q.DeQuantStub()).loadStateDict(weights).eval();
    /** @param {any} m */
    const predict = (m) => {
      const y = m.forward(test.images, test.count);
      return Array.from({ length: test.count }, (_, i) => {
        let best = 0;
        for (let j = 1; j < 10; j++) if (y[i * 10 + j] > y[i * 10 + best]) best = j;
        return best;
      });
    };
    const float = mlp();
    const model = q.quantizeDynamic(float, { qconfig: q.getWeightOnlyQConfig(qc) });
    const fp = predict(float), wp = predict(model);
    const result = {
      accuracy: wp.filter((p, i) => p === test.labels[i]).length / test.count,
      agreement: wp.filter((p, i) => p === fp[i]).length / test.count,
      bytes: model.byteLength(),
      stateBytes: Object.values(model.stateDict()).reduce((n, t) => n + t.data.byteLength, 0),
      sqnr: [1, 3, 5].map((i) => /** @type {any} */ (model).modules[i].layer.error.sqnr),
    };
    float.dispose();
    model.dispose();
    return result;
  }, qc);
}

/** Clicks a run button and waits until the run (and its look inside) is over. @param {import('playwright-core').Page} page @param {string} action */
async function run(page, action, timeout = 30000) {
  const before = (await rows(page)).length;
  await page.click(`button[data-action="${action}"]`);
  await page.waitForFunction((n) => document.body.dataset.busy === 'false' && document.querySelectorAll('#results-table tbody tr').length > n,
    before, { timeout });
  return (await rows(page)).at(-1);
}

/** Clicks a sweep button and waits until its chart has all its points. @param {import('playwright-core').Page} page @param {string} action @param {number} points */
async function sweep(page, action, points, timeout = 30000) {
  await page.click(`button[data-action="${action}"]`);
  await page.waitForFunction(([chart, n]) => document.body.dataset.busy === 'false' && /** @type {HTMLElement} */ (document.querySelector(chart)).dataset.points === n,
    [action === 'sweep' ? '#calib-chart' : '#bits-chart', String(points)], { timeout });
}

/**
 * A sweep table's values: series name -> x -> accuracy, over the cells that have a value (a series with no
 * point at an x has a cell there with no data-value).
 * @param {import('playwright-core').Page} page @param {string} table
 */
const sweepValues = (page, table) => page.$$eval(`${table} td`, (tds) => {
  /** @type {Record<string, Record<string, number>>} */
  const v = {};
  for (const td of tds) {
    const d = /** @type {HTMLElement} */ (td).dataset;
    const series = (v[/** @type {string} */ (d.series)] ??= {});
    if (d.value !== undefined) series[/** @type {string} */ (d.x)] = Number(d.value);
  }
  return v;
});

/**
 * How far a chart's texts reach past its drawing (its viewBox), in viewBox units: 0 when all of every
 * text is inside, where the page shows it. @param {Element} box the chart's container
 */
function textOverflow(box) {
  const svg = /** @type {SVGSVGElement} */ (box.querySelector('svg'));
  const vb = svg.viewBox.baseVal;
  let worst = 0;
  for (const t of svg.querySelectorAll('text')) {
    const b = /** @type {SVGTextElement} */ (t).getBBox();
    worst = Math.max(worst, vb.x - b.x, b.x + b.width - (vb.x + vb.width), vb.y - b.y, b.y + b.height - (vb.y + vb.height));
  }
  return worst;
}

test('model lab', async (t) => {
  await t.test('should run float, dynamic, weight-only, static and QAT within 60 s, each within 2 points of float, with gallery and look inside', async () => {
    const { page, errors } = await open();
    const t0 = Date.now();
    await page.click('button[data-action="run-all"]');
    await page.waitForSelector('body[data-run-all="done"]', { timeout: 60000 });
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(seconds < 60, `run-all took ${seconds} s`);
    const r = await rows(page);
    assert.deepEqual(r.map((x) => x.workflow), ['float', 'dynamic', 'weight-only', 'static', 'qat']);
    for (const x of r) assert.ok(x.accuracy >= 0 && x.accuracy <= 1);
    // The committed float model on the subset's 2,000 test images (tests/unit/lab.test.js: torch's predictions).
    assert.equal(r[0].accuracy, 0.876);
    for (const x of r.slice(1)) assert.ok(Math.abs(x.accuracy - r[0].accuracy) <= 0.02, `${x.workflow}: ${x.accuracy}`);
    assert.deepEqual(r[2].settings, { bits: 4, blockSize: 32, symmetric: false, accuracyLevel: 4 });
    assert.deepEqual(r[3].settings, { backend: 'fbgemm', fuse: true, observer: 'histogram', calibration: 100, wBits: 8, aBits: 8, perChannel: true });

    // The gallery draws the QAT model's changed predictions as pictures (dark pixels on white).
    const gallery = await page.$$eval('#gallery canvas', (cs) => cs.map((c) => {
      const d = /** @type {HTMLCanvasElement} */ (c).getContext('2d')?.getImageData(0, 0, 28, 28).data ?? [];
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) dark += d[i] < 250 ? 1 : 0;
      return { dark, label: c.getAttribute('aria-label') };
    }));
    assert.ok(gallery.length > 0 && gallery.length <= 24);
    for (const g of gallery) {
      assert.ok(g.dark > 20, `a garment is drawn (${g.dark} pixels)`);
      assert.match(/** @type {string} */ (g.label), /float says .+, quantized says .+/);
    }
    // Look inside: per layer the tensor view's histogram (web/histogram.js) of the weights and of the outputs, each with
    // its bars, the quantization grid and the clipping range.
    const layers = await page.$$eval('#layers .layer', (ls) => ls.map((l) => ({
      name: /** @type {HTMLElement} */ (l).dataset.layer, w: Number(/** @type {HTMLElement} */ (l).dataset.weightSqnr),
      a: Number(/** @type {HTMLElement} */ (l).dataset.activationSqnr), worst: l.classList.contains('worst'),
      charts: [...l.querySelectorAll('.histogram svg')].map((svg) => ({
        bars: (svg.querySelector('path.bars')?.getAttribute('d') ?? '').split('z').length - 1,
        grid: (svg.querySelector('path.qgrid')?.getAttribute('d') ?? '').split('M').length - 1,
        bounds: svg.querySelectorAll('line.clip-bound').length,
        label: svg.getAttribute('aria-label'),
      })),
    })));
    assert.deepEqual(layers.map((l) => l.name), ['fc1', 'fc2', 'fc3']);
    assert.equal(layers.filter((l) => l.worst).length, 1);
    for (const l of layers) {
      assert.ok(l.w > 30 && l.a > 20, JSON.stringify(l));
      assert.equal(l.charts.length, 2);
      for (const c of l.charts) assert.ok(c.bars > 5 && c.grid > 5 && c.bounds >= 1, JSON.stringify(c));
      assert.match(/** @type {string} */ (l.charts[0].label), new RegExp(`^${l.name} weights: Histogram of \\d+ values .* clip\\.$`));
      assert.match(/** @type {string} */ (l.charts[1].label), new RegExp(`^${l.name} float outputs: Histogram of \\d+ values .* clip\\.$`));
    }
    assert.match(await page.$eval('#code-outcome', (e) => e.textContent ?? ''), /Could not run 'quantized::linear'/);
    // Every id is unique once everything is drawn (getElementById and labels find the first of a duplicate).
    assert.deepEqual(await page.evaluate(() => {
      /** @type {Record<string, number>} */
      const n = {};
      for (const e of document.querySelectorAll('[id]')) n[e.id] = (n[e.id] ?? 0) + 1;
      return Object.keys(n).filter((id) => n[id] > 1);
    }), []);
    await page.screenshot({ path: path.join(out, 'lab-run-all.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should run weight-only as its own row: the library\'s accuracy and bytes for the same qconfig, changing with bits and block, on a 360px screen', async () => {
    const { page, errors } = await open('?snippet=weight-only', { width: 360, height: 800 });
    assert.deepEqual(await page.evaluate(() => [['wo-bits', 'value'], ['wo-block', 'value'], ['wo-symmetric', 'checked']]
      .map(([id, k]) => /** @type {any} */ (document.getElementById(id))[k])), ['4', '32', false]);
    // The defaults, run from the keyboard: the button is reachable and Enter runs it.
    await page.focus('button[data-action="weight-only"]');
    const count = (await rows(page)).length;
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.body.dataset.busy === 'false' && document.querySelectorAll('#results-table tbody tr').length > n, count);
    /** @type {{ qc: { bits: 4 | 8, blockSize: 16 | 32 | 64 | 128 | 256, symmetric: boolean }, label: string, query: string }[]} */
    const cases = [
      { qc: { bits: 4, blockSize: 32, symmetric: false }, label: 'weight-only int4, block 32', query: '?snippet=weight-only' },
      { qc: { bits: 8, blockSize: 64, symmetric: false }, label: 'weight-only int8, block 64', query: '?wobits=8&woblock=64&snippet=weight-only' },
      { qc: { bits: 4, blockSize: 128, symmetric: true }, label: 'weight-only int4, block 128, symmetric', query: '?woblock=128&wosym=1&snippet=weight-only' },
    ];
    const seen = [];
    for (const [k, c] of cases.entries()) {
      if (k > 0) {
        await page.selectOption('#wo-bits', String(c.qc.bits));
        await page.selectOption('#wo-block', String(c.qc.blockSize));
        await page.setChecked('#wo-symmetric', c.qc.symmetric);
        assert.equal(new URL(page.url()).search, c.query);
        assert.match(await page.$eval('#code-qdq', (e) => e.textContent ?? ''),
          new RegExp(`getWeightOnlyQConfig\\(\\{ bits: ${c.qc.bits}, blockSize: ${c.qc.blockSize}, symmetric: ${c.qc.symmetric} \\}\\)`));
        await run(page, 'weight-only');
      }
      const row = /** @type {Awaited<ReturnType<typeof rows>>[number]} */ ((await rows(page)).at(-1));
      const lib = await libraryWeightOnly(page, c.qc);
      assert.equal(row.workflow, 'weight-only');
      assert.deepEqual(row.settings, { ...c.qc, accuracyLevel: 4 });
      assert.equal(row.label, c.label);
      // The row is the library's own model: the same predictions (so accuracy and agreement) and its bytes.
      assert.deepEqual([row.accuracy, row.agreement, row.bytes], [lib.accuracy, lib.agreement, lib.bytes]);
      assert.equal(lib.bytes, lib.stateBytes);
      assert.deepEqual([row.cells[2], row.cells[5]], [`${(100 * lib.accuracy).toFixed(2)}%`, lib.bytes.toLocaleString('en-US')]);
      assert.ok(row.latencyMs > 0 && row.latencyMs < 50, `latency ${row.latencyMs} ms`);
      // The look inside is of this model: each card's weight SQNR is the layer's own error.
      const cards = await page.$$eval('#layers .layer', (ls) => ls.map((l) => Number(/** @type {HTMLElement} */ (l).dataset.weightSqnr)));
      // Both are 10·log10(Σx² / Σ(x − x̂)²) over float64 sums added in other orders.
      cards.forEach((v, i) => assert.ok(Math.abs(v - lib.sqnr[i]) < 1e-9, `fc${i + 1}: ${v} vs ${lib.sqnr[i]}`));
      seen.push(row);
    }
    // Bits and block size change the row: 8 bits double the packed weights, a wider block has fewer scales.
    assert.equal(new Set(seen.map((r) => r.bytes)).size, 3);
    assert.ok(seen[1].bytes > seen[0].bytes && seen[2].bytes < seen[0].bytes, JSON.stringify(seen.map((r) => r.bytes)));
    assert.match(await page.textContent('#inside-summary') ?? '', /^The last weight-only model on 256 test images: fc\d loses the most/);
    const cards = await page.$$eval('#layers .layer', (ls) => ls.map((l) => ({
      text: [...l.querySelectorAll('p')].map((p) => p.textContent ?? ''),
      charts: [...l.querySelectorAll('.histogram svg')].map((svg) => [svg.querySelectorAll('line.clip-bound').length > 0,
        (svg.querySelector('path.qgrid')?.getAttribute('d') ?? '').length > 0, /no fixed quantization range\.$/.test(svg.getAttribute('aria-label') ?? '')]),
    })));
    assert.equal(cards.length, 3);
    for (const c of cards) {
      assert.match(c.text[0], /^weights: SQNR [\d.]+ dB \(blocks of 128 along the inputs; the widest block's weights and grid shown\)$/);
      assert.match(c.text[1], /^outputs: SQNR [\d.]+ dB \(weight-only: the outputs stay float between layers, with no grid\)$/);
      // The widest block's weights on its 16 codes with its clipping range; the float outputs with no grid at all.
      assert.deepEqual(c.charts, [[true, true, false], [false, false, true]]);
    }
    assert.match(await page.textContent('#wo-notes') ?? '', /the activations stay\s+float, so there is nothing to calibrate and no activation ranges to show/);
    // The PyTorch side: no torch 1.13 code (it has no 4-bit Linear), torchao's call with the block size as group size.
    assert.match(await page.$eval('#code-corrected', (e) => e.textContent ?? ''), /torch 1\.13 has no 4-bit Linear[^]*quantize_\(model, int4_weight_only\(group_size=128\)\)/);
    assert.deepEqual(await page.$$eval('#code-outcome, #code-corrected-outcome', (ps) => ps.map((p) => [p.textContent?.split(':')[0].split('.')[0], p.classList.contains('bad')])),
      [['The article has no weight-only snippet', false], ['Not run here', false]]);
    // Reloaded, the controls come back from the URL.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.deepEqual(await page.evaluate(() => [['wo-bits', 'value'], ['wo-block', 'value'], ['wo-symmetric', 'checked'], ['snippet', 'value']]
      .map(([id, k]) => /** @type {any} */ (document.getElementById(id))[k])), ['4', '128', true, 'weight-only']);
    // 360px: every control labelled, nothing wider than the screen.
    assert.deepEqual(await page.$$eval('input, select', (els) => els.filter((e) => /** @type {HTMLInputElement} */ (e).labels?.length === 0).map((e) => e.id)), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than a 360px screen`);
    await page.screenshot({ path: path.join(out, 'lab-weight-only-360.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should change the static result with the observer and the calibration size, filling in the observed ranges', async () => {
    const { page, errors } = await open();
    await page.selectOption('#observer', 'minmax');
    await page.fill('#calibration', '1');
    await page.dispatchEvent('#calibration', 'change');
    const a = await run(page, 'static');
    // One calibration size so far: its point sits mid-plot, not on the y axis's labels at its left edge.
    const [cx, width] = await page.$eval('#calib-chart svg', (svg) => [Number(svg.querySelector('circle')?.getAttribute('cx')), svg.viewBox.baseVal.width]);
    assert.ok(cx > 0.3 * width && cx < 0.7 * width, `the lone point at x = ${cx} of ${width}`);
    const ranges = await page.$$eval('#ranges-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(ranges.map((x) => x[0]), ['input', 'fc1', 'fc2', 'fc3']);
    // fbgemm's reduce_range: the observer fits codes 0 to 127, the converted model clips at uint8's 0 to 255.
    for (const x of ranges) {
      const [fit, clip] = [x[5], x[6]].map((c) => /^\[(-?[\d.e-]+), ([\d.e+-]+)\] \(codes (\d+) to (\d+)\)$/.exec(c ?? '')?.slice(1).map(Number));
      assert.ok(fit && clip, JSON.stringify(x));
      assert.deepEqual([fit[2], fit[3], clip[2], clip[3]], [0, 127, 0, 255]);
      assert.equal(fit[0], clip[0]);
      assert.ok(clip[1] > 1.9 * fit[1], JSON.stringify(x));
    }
    await page.selectOption('#observer', 'entropy');
    await page.fill('#calibration', '1000');
    await page.dispatchEvent('#calibration', 'change');
    const b = await run(page, 'static');
    assert.deepEqual([a?.settings.observer, a?.settings.calibration, b?.settings.observer, b?.settings.calibration], ['minmax', 1, 'entropy', 1000]);
    assert.notEqual(a?.accuracy, b?.accuracy);
    assert.equal(await page.$eval('#calib-chart', (e) => /** @type {HTMLElement} */ (e).dataset.points), '2');
    // The sweep: every observer at 1, 10, 100 and 1000 images, on the same chart; its runs of the two
    // settings above repeat the static rows' accuracies exactly.
    await sweep(page, 'sweep', 20);
    const v = await sweepValues(page, '#calib-table');
    assert.deepEqual(Object.keys(v), ['MinMax', 'Moving-avg MinMax', 'Histogram', 'Percentile (99.999)', 'Entropy (KL)']);
    for (const series of Object.values(v)) {
      assert.deepEqual(Object.keys(series), ['1', '10', '100', '1000']);
      for (const acc of Object.values(series)) assert.ok(acc > 0.8 && acc <= 1, JSON.stringify(v));
    }
    assert.deepEqual([v.MinMax[1], v['Entropy (KL)'][1000]], [a?.accuracy, b?.accuracy]);
    assert.equal(await page.$eval('#calib-chart', (e) => e.querySelectorAll('circle').length), 20);
    assert.equal(await page.textContent('#sweep-text'), '20 of 20 runs');
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should lose accuracy at 4 bits, recover part with QAT, and keep the main thread free while it trains', async () => {
    const { page, errors } = await open('?wbits=4&abits=4');
    const float = await run(page, 'float');
    const s4 = await run(page, 'static');
    await page.fill('#train-epochs', '2');
    await page.dispatchEvent('#train-epochs', 'change');
    await page.evaluate(() => {
      /** @type {any} */ (window).longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) /** @type {any} */ (window).longTasks.push([e.startTime, e.duration]);
      }).observe({ type: 'longtask' });
    });
    // While training: from the click to the last step's report (main.js marks 'lab-trained-<job>'),
    // before the page draws the run's row, gallery and histograms. The page's own work then is a
    // message and a redraw about five times a second, a few ms each. A long task's duration is wall
    // time, though, and on a machine loaded past its cores a preempted main thread makes any task
    // long (an idle page shows none; the same page training shows some in one run of three under a
    // load of 7 on 2 cores). So each training run gets three tries to be clean: a page that really
    // blocks its thread fails all three.
    /** @type {Record<string, number[][]>} */
    const seen = {};
    for (const job of ['qat', 'train']) {
      seen[job] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const start = await page.evaluate(() => performance.now());
        await run(page, job);
        const end = await page.evaluate((j) => performance.getEntriesByName(`lab-trained-${j}`).at(-1)?.startTime ?? 0, job);
        assert.ok(end > start, `${job} marked the end of its training`);
        const long = /** @type {[number, number][]} */ (await page.evaluate(() => /** @type {any} */ (window).longTasks))
          .filter(([at]) => at >= start && at <= end).map(([, d]) => Math.round(d));
        seen[job].push(long);
        if (long.length === 0) break;
      }
      assert.ok(seen[job].some((l) => l.length === 0), `no main-thread task over 50 ms while training (${job}): ${JSON.stringify(seen[job])}`);
    }
    const q4 = (await rows(page)).find((r) => r.workflow === 'qat');
    assert.ok(s4 && q4 && float);
    assert.ok(s4.accuracy < float.accuracy - 0.02, `4-bit static ${s4.accuracy} vs float ${float.accuracy}`);
    assert.ok(q4.accuracy > s4.accuracy + 0.005, `4-bit QAT ${q4.accuracy} vs static ${s4.accuracy}`);
    assert.deepEqual([s4.settings.wBits, s4.settings.aBits, q4.settings.wBits, q4.settings.aBits], [4, 4, 4, 4]);
    assert.ok(await page.$eval('#qat-curve', (e) => e.querySelectorAll('path.series').length >= 2));
    assert.match(await page.textContent('#inside-summary') ?? '', /^The last QAT model on 256 test images: fc\d loses the most/);
    // The look inside (of the QAT model) says the model clips at uint8's codes, not at the 4-bit fit.
    for (const text of await page.$$eval('#layers .layer p:nth-of-type(2)', (ps) => ps.map((p) => p.textContent ?? ''))) {
      assert.match(text, /^outputs: SQNR [\d.]+ dB \(codes 0 to 255: the converted model keeps uint8's range, with a scale fitted to codes 0 to 15\)$/);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should sweep the bit width: static collapses at 2 bits per tensor, per-channel and QAT recover part, weight-only keeps float\'s at 4 and 8', async () => {
    // The weight-only block size and symmetry from the URL: the sweep's weight-only series takes them.
    const { page, errors } = await open('?woblock=64&wosym=1');
    // 6 widths × 3 runs, and weight-only at 4 and 8.
    await sweep(page, 'bits', 20);
    assert.equal(await page.textContent('#bits-text'), '20 of 20 runs');
    const v = await sweepValues(page, '#bits-table');
    const wo = 'weight-only, float activations (block 64, symmetric)';
    assert.deepEqual(Object.keys(v), ['static per-tensor', 'static per-channel', 'QAT per-channel', wo]);
    for (const series of ['static per-tensor', 'static per-channel', 'QAT per-channel']) assert.deepEqual(Object.keys(v[series]), ['2', '3', '4', '5', '6', '8']);
    assert.deepEqual(Object.keys(v[wo]), ['4', '8']);
    // Its column is headed "weight-only" over its settings in small type, not by the long series name (which
    // stretched the column on a phone); the name stays the header's accessible name.
    assert.deepEqual(await page.$eval(`#bits-table th[aria-label="${wo}"]`, (h) => [h.firstChild?.textContent, h.querySelector('.th-note')?.textContent]),
      ['weight-only', 'block 64, symmetric']);
    // Weight-only's cells where it has no run are empty (a dash), not 0 or NaN; the others show its value.
    assert.deepEqual(await page.$$eval(`#bits-table td[data-series="${wo}"]`, (tds) => tds.map((td) => [/** @type {HTMLElement} */ (td).dataset.x, td.textContent])),
      [['2', '–'], ['3', '–'], ['4', `${(100 * v[wo][4]).toFixed(2)}%`], ['5', '–'], ['6', '–'], ['8', `${(100 * v[wo][8]).toFixed(2)}%`]]);
    // Its points are the library's own weight-only model's accuracy, run in this browser with the same qconfig.
    for (const bits of /** @type {const} */ ([4, 8])) {
      assert.equal(v[wo][bits], (await libraryWeightOnly(page, { bits, blockSize: 64, symmetric: true })).accuracy, `${bits} bits`);
    }
    const pt = v['static per-tensor'];
    // At 8 bits every series is within a point of float (0.876); at 2 bits per tensor (codes -2..1 for the weights, 0..3 for
    // the activations) it is near chance (0.1), and per-channel weights and QAT each win back a large part.
    for (const series of Object.values(v)) assert.ok(Math.abs(series[8] - 0.876) < 0.01, JSON.stringify(v));
    assert.ok(pt[2] < pt[8] - 0.4, JSON.stringify(pt));
    assert.ok(v['static per-channel'][2] > pt[2] + 0.15 && v['QAT per-channel'][2] > pt[2] + 0.15, JSON.stringify(v));
    // At 4 bits weight-only's blocks, activations float, stay within a point of float; static, its activations on 16 codes
    // too, loses several (83.6% per tensor with the Histogram observer on the shipped subset).
    assert.ok(Math.abs(v[wo][4] - 0.876) < 0.01 && v[wo][4] > pt[4] + 0.03, JSON.stringify(v));
    // The chart: four lines, weight-only's dashed with its two points, a dot a run, the x title saying what each width
    // quantizes, and every text inside the drawing (the weight-only name is wider than the legend, so it wraps).
    const chart = await page.$eval('#bits-chart', (e) => ({
      paths: [...e.querySelectorAll('path.series')].map((p) => [p.getAttribute('stroke-dasharray'), (p.getAttribute('d')?.match(/[ML]/g) ?? []).length]),
      dots: e.querySelectorAll('circle').length,
      texts: [...e.querySelectorAll('text')].map((t) => t.textContent),
    }));
    assert.deepEqual(chart.paths, [[null, 6], [null, 6], [null, 6], ['6 4', 2]]);
    assert.equal(chart.dots, 20);
    assert.ok(chart.texts.includes('bits: weights and activations; weight-only: weights only'), JSON.stringify(chart.texts));
    assert.equal(await page.$eval('#bits-chart', textOverflow), 0);
    // The same series at a phone's width (legend under the plot): still inside.
    await page.evaluate(async (names) => {
      const { lineChart } = await import('/lab/charts.js');
      const box = document.createElement('div');
      box.id = 'narrow-chart';
      box.style.width = '320px';
      document.body.append(box);
      lineChart(box, names.map((name, i) => ({ name, dots: true, dashed: i === 3, points: /** @type {[number, number][]} */ ([[4, 0.8], [8, 0.87]]) })),
        { xLabel: 'bits: weights and activations; weight-only: weights only', yLabel: 'test accuracy', yMin: 0, yMax: 1 });
    }, Object.keys(v));
    assert.equal(await page.$eval('#narrow-chart', textOverflow), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should restore the settings from the URL and keep them there', async () => {
    const { page, errors } = await open('?backend=qnnpack&fuse=0&observer=percentile&calib=10&wbits=6&abits=5&snippet=dynamic');
    // Read from the form controls themselves (a <span id="backend"> once shadowed the qconfig select).
    assert.deepEqual(await page.evaluate(() => ['backend', 'observer', 'calibration', 'w-bits', 'a-bits', 'snippet']
      .map((id) => /** @type {HTMLInputElement} */ (document.querySelector(`select#${id}, input#${id}`)).value)), ['qnnpack', 'percentile', '10', '6', '5', 'dynamic']);
    assert.equal(await page.isChecked('#fuse'), false);
    assert.match(await page.$eval('#code-qdq', (e) => e.textContent ?? ''), /quantizeDynamic\(model, \{ perChannel: false \}\)/);
    const r = await run(page, 'static');
    assert.deepEqual(r?.settings, { backend: 'qnnpack', fuse: false, observer: 'percentile', calibration: 10, wBits: 6, aBits: 5, perChannel: false });
    await page.selectOption('#observer', 'histogram');
    assert.equal(new URL(page.url()).search, '?backend=qnnpack&fuse=0&calib=10&wbits=6&abits=5&snippet=dynamic');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.$eval('#observer', (e) => /** @type {HTMLSelectElement} */ (e).value), 'histogram');
    // The qconfig select drives the URL, the snippet and the next run (a <span id="backend"> once took its id).
    await page.goto(`${base}/lab.html?calib=1`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.$eval('#code-qdq', (e) => e.textContent ?? ''), /getDefaultQConfig\('fbgemm'\)/);
    // An emptied or unreadable number field is refused next to it and keeps its value (Number('') is 0).
    await page.fill('#calibration', '');
    await page.press('#calibration', 'Tab');
    await page.click('#train-epochs', { clickCount: 3 });
    await page.keyboard.type('e-');
    await page.press('#train-epochs', 'Tab');
    assert.equal(new URL(page.url()).search, '?calib=1');
    assert.deepEqual(await page.evaluate(() => ['calibration', 'train-epochs'].map((id) => {
      const el = /** @type {HTMLInputElement} */ (document.getElementById(id));
      return [el.value, document.getElementById(`${id}-error`)?.textContent, el.getAttribute('aria-describedby')];
    })), [
      ['1', 'Calibration images (1–1000): the field is empty; it takes a whole number from 1 to 1000. Still 1.', 'calibration-error'],
      ['3', 'Epochs: what was typed is not a number; it takes a whole number from 1 to 20. Still 3.', 'train-epochs-error'],
    ]);
    await page.fill('#calibration', '0');
    await page.dispatchEvent('#calibration', 'change');
    assert.equal(await page.getAttribute('#calibration', 'aria-invalid'), 'true');
    assert.equal(await page.textContent('#calibration-error'), 'Calibration images (1–1000): 0; it takes a whole number from 1 to 1000. Still 1.');
    await page.fill('#calibration', '2');
    await page.dispatchEvent('#calibration', 'change');
    assert.deepEqual([await page.getAttribute('#calibration', 'aria-invalid'), await page.isHidden('#calibration-error')], [null, true]);
    await page.fill('#calibration', '1');
    await page.dispatchEvent('#calibration', 'change');
    await page.selectOption('#backend', 'qnnpack');
    assert.equal(new URL(page.url()).search, '?backend=qnnpack&calib=1');
    assert.match(await page.$eval('#code-qdq', (e) => e.textContent ?? ''), /getDefaultQConfig\('qnnpack'\)/);
    assert.deepEqual(await run(page, 'static').then((r) => [r?.settings.backend, r?.settings.calibration]), ['qnnpack', 1]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should cancel a training run and stay usable; label every control; fit a phone screen', async () => {
    const { page, errors } = await open('?epochs=20', { width: 390, height: 844 });
    await page.click('button[data-action="train"]');
    await page.waitForFunction(() => Number(/** @type {HTMLProgressElement} */ (document.getElementById('train-progress')).value) > 0);
    await page.click('button[data-action="cancel"]');
    await page.waitForFunction(() => document.body.dataset.busy === 'false');
    assert.equal(await page.$eval('#status', (e) => e.textContent), 'Cancelled.');
    assert.equal((await rows(page)).length, 0);
    assert.equal(await page.isEnabled('button[data-action="run-all"]'), true);
    assert.deepEqual(await page.$$eval('input, select', (els) => els.filter((e) => /** @type {HTMLInputElement} */ (e).labels?.length === 0).map((e) => e.id)), []);
    // Keyboard: the run buttons are reachable with Tab and run with Enter.
    await page.focus('button[data-action="dynamic"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#results-table tbody tr').length === 1 && document.body.dataset.busy === 'false');
    // Dynamic quantization fixes no output range: those histograms draw the values alone, the weights' their grid and clip.
    const charts = await page.$$eval('#layers .histogram svg', (svgs) => svgs.map((svg) => [
      svg.querySelectorAll('line.clip-bound').length, (svg.querySelector('path.qgrid')?.getAttribute('d') ?? '').length > 0,
      /no fixed quantization range\.$/.test(svg.getAttribute('aria-label') ?? '')]));
    assert.deepEqual(charts, [0, 1, 2].flatMap(() => [[2, true, false], [0, false, true]]));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than a phone screen`);
    // On a phone the charts draw their text near its CSS size (a 640-wide drawing scaled it to 6-7px), and the
    // results table's notes are on screen, not in its scroller.
    const phone = await page.evaluate(() => ({
      chartText: Math.min(...[...document.querySelectorAll('#train-curve svg text')].filter((t) => t.textContent).map((t) => t.getBoundingClientRect().height)),
      notes: /** @type {HTMLElement} */ (document.getElementById('results-notes')).getBoundingClientRect().right <= innerWidth,
    }));
    assert.ok(phone.chartText >= 11 && phone.notes, JSON.stringify(phone));
    await page.screenshot({ path: path.join(out, 'lab-phone.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
