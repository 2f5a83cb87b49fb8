// The interactive page in headless Chromium: its numbers against the
// library, its options, the range handles, URL state, errors, and
// screenshots (tests/out/, gitignored) for a human to look at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { out, startPageBrowser } from '../helpers/page-browser.js';
import { createPageServer } from '../../scripts/serve.js';

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

/** Actions after which the page may have a render queued for the next frame (web/main.js requestRender). */
const ACTIONS = new Set(['check', 'uncheck', 'click', 'fill', 'press', 'selectOption', 'dispatchEvent', 'focus', 'setInputFiles', 'move', 'up', 'down', 'type']);

/**
 * The page, or its mouse or keyboard, whose actions return once the page has drawn what they changed:
 * the page renders once a frame, so a read right after an action could see the frame before.
 * @template {object} T @param {T} target @param {() => Promise<unknown>} settle @returns {T}
 */
function settling(target, settle) {
  return new Proxy(target, {
    get(t, prop) {
      const v = Reflect.get(t, prop);
      if (prop === 'mouse' || prop === 'keyboard') return settling(v, settle);
      if (typeof v !== 'function') return v;
      if (!ACTIONS.has(/** @type {string} */ (prop))) return v.bind(t);
      return async (/** @type {unknown[]} */ ...args) => {
        const r = await v.apply(t, args);
        await settle();
        return r;
      };
    },
  });
}

/**
 * Opens a page and collects every console error and uncaught exception.
 * @param {string} url path and query
 * @param {{ width: number, height: number }} [viewport]
 */
async function open(url, viewport = { width: 1280, height: 900 }) {
  const raw = await browser.newPage({ viewport });
  const page = settling(raw, () => raw.evaluate(() => /** @type {any} */ (window).__qdqSettled?.()));
  /** @type {string[]} */
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return { page, errors };
}

/** A number (or array) a table cell shows, from its data-value. @param {import('playwright-core').Page} page @param {string} id */
const shown = (page, id) => page.$eval(`[data-testid="${id}"]`, (el) => JSON.parse(/** @type {HTMLElement} */ (el).dataset.value ?? 'null'));
/** The values of a grid. @param {import('playwright-core').Page} page @param {string} id */
const grid = (page, id) => page.$eval(`[data-testid="${id}"]`, (el) => /** @type {HTMLElement} */ (el).dataset.values?.split(',').filter((v) => v !== '').map(Number));

/**
 * What the library's quantize() gives for x, run in the page's own browser.
 * @param {import('playwright-core').Page} page @param {number[]} x @param {object} opts
 */
function library(page, x, opts) {
  return page.evaluate(async ([x, opts]) => {
    const m = await import('/js/index.js');
    await m.init();
    const t = /** @type {any} */ (m.quantize(new Float32Array(x), opts));
    return {
      scale: t.scale, zeroPoint: t.zeroPoint, q: Array.from(t.data), mse: t.error.mse, maxAbs: t.error.maxAbsError,
      scales: t.scales && Array.from(t.scales), zeroPoints: t.zeroPoints && Array.from(t.zeroPoints),
    };
  }, /** @type {const} */ ([x, opts]));
}

/**
 * What the library gives for n-bit codes: an observer with quantMin/quantMax,
 * then quantizePerTensor/quantizePerChannel clamping to that range (quantize()
 * clamps to the dtype, as torch.quantize_per_tensor does).
 * @param {import('playwright-core').Page} page @param {number[]} x
 * @param {{ shape: number[], axis?: number, dtype?: 'int8' | 'uint8', quantMin: number, quantMax: number }} opts
 */
function libraryNBits(page, x, opts) {
  return page.evaluate(async ([x, opts]) => {
    const m = await import('/js/index.js');
    await m.init();
    const xs = new Float32Array(x);
    const { shape, axis, dtype = 'int8', quantMin, quantMax } = opts;
    const range = { dtype, quantMin, quantMax };
    if (axis === undefined) {
      const obs = new m.MinMaxObserver(range);
      obs.observe(xs);
      const p = obs.calculateQParams();
      const qt = m.quantizePerTensor(xs, { ...p, ...range, shape, compat: 'pytorch' });
      const e = m.errorStats(xs, m.dequantize(qt));
      return { scale: p.scale, zeroPoint: p.zeroPoint, q: Array.from(qt.data), mse: e.mse, maxAbs: e.maxAbsError, scales: [], zeroPoints: [] };
    }
    const obs = new m.PerChannelMinMaxObserver({ ...range, axis });
    obs.observe(xs, shape);
    const p = obs.calculateQParams();
    const qt = m.quantizePerChannel(xs, { ...p, ...range, shape, axis, compat: 'pytorch' });
    const e = m.errorStats(xs, m.dequantize(qt), { shape, axis });
    return { scale: 0, zeroPoint: 0, q: Array.from(qt.data), mse: e.mse, maxAbs: e.maxAbsError, scales: Array.from(p.scales), zeroPoints: Array.from(p.zeroPoints) };
  }, /** @type {const} */ ([x, opts]));
}

/** The values of the page's current tensor, via its own preset module. @param {import('playwright-core').Page} page */
function pageTensor(page) {
  return page.evaluate(async () => {
    const { fromQuery } = await import('/state.js');
    const { presetTensor } = await import('/presets.js');
    const s = fromQuery(location.search);
    return s.values ? Array.from(s.values) : Array.from(presetTensor(s.preset, s.rows, s.cols, s.seed).values);
  });
}


/**
 * Runs the page's qdq-wasm snippet as a module in the page (with the
 * package name pointed at the served library) and returns what it computed.
 * @param {import('playwright-core').Page} page
 */
function runJsSnippet(page) {
  return page.evaluate(async () => {
    const code = /** @type {HTMLElement} */ (document.getElementById('code-js')).textContent ?? '';
    const src = `${code.replace("from 'qdq-wasm'", `from '${location.origin}/js/index.js'`)}\nexport { perTensor, perChannel, perGroup };`;
    const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
    const m = await import(url);
    return { t: Array.from(m.perTensor.data), c: Array.from(m.perChannel.data), g: Array.from(m.perGroup.data) };
  });
}

/**
 * The per-group result in the tensor's layout: groups run along rows (axis 0,
 * already in order) or down columns (axis 1: the snippets list the columns
 * one after another).
 * @param {number[]} grouped @param {number} rows @param {number} cols @param {0 | 1} axis
 */
function ungroup(grouped, rows, cols, axis) {
  if (axis === 0) return grouped;
  const out = new Array(grouped.length);
  grouped.forEach((v, j) => { out[(j % rows) * cols + Math.floor(j / rows)] = v; });
  return out;
}

/** The tensor regrouped as the page's per-group scheme quantizes it: one group per row. */
function regroup(/** @type {number[]} */ x, /** @type {number} */ rows, /** @type {number} */ cols, /** @type {0 | 1} */ axis) {
  return axis === 0 ? x : x.map((_, j) => x[(j % rows) * cols + Math.floor(j / rows)]);
}

/** True when /usr/bin/python3 has torch (the PyTorch snippet check needs it; CI does not install it). */
const HAS_TORCH = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

/**
 * Runs the page's PyTorch snippet with /usr/bin/python3 and returns its int_repr values.
 * @param {import('playwright-core').Page} page
 */
async function runPySnippet(page) {
  const code = await page.textContent('#code-py') ?? '';
  const src = `${code}\nimport json\nprint(json.dumps({"t": q_tensor.flatten().tolist(), "c": q_channel.flatten().tolist(), "g": q_group.flatten().tolist()}))\n`;
  const r = spawnSync('/usr/bin/python3', ['-c', src], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
}

const ARTICLE = [1, 2, 3, 4, 5, 6];
const f32 = Math.fround;

test('the page', async (t) => {
  await t.test('should show the article example as the library computes it', async () => {
    const { page, errors } = await open('/');
    assert.equal(await shown(page, 'pt-scale'), f32(6 / 255));
    assert.equal(await shown(page, 'pt-zp'), -128);
    assert.deepEqual(await grid(page, 'pt-q'), [-86, -43, 0, 42, 84, 127]);
    assert.deepEqual(await shown(page, 'pc-scale'), [f32(3 / 255), f32(6 / 255)]);
    assert.deepEqual(await shown(page, 'pc-zp'), [-128, -128]);
    assert.deepEqual(await grid(page, 'pc-q'), [-43, 42, 127, 42, 84, 127]);
    const lib = await library(page, ARTICLE, { shape: [2, 3], compat: 'pytorch' });
    assert.equal(await shown(page, 'pt-mse'), lib.mse);
    assert.equal(await shown(page, 'pt-maxabs'), lib.maxAbs);
    assert.deepEqual(await grid(page, 'pt-xhat'), (await page.evaluate(async () => {
      const m = await import('/js/index.js');
      return Array.from(m.dequantize({ data: Int8Array.of(-86, -43, 0, 42, 84, 127), scale: 6 / 255, zeroPoint: -128 }));
    })));
    const libC = await library(page, ARTICLE, { shape: [2, 3], axis: 0, compat: 'pytorch' });
    assert.equal(await shown(page, 'pc-mse'), libC.mse);
    // The corrected-article panel: the raw formula's -179 and the library's answers.
    const article = await page.textContent('#article-panel');
    assert.match(article ?? '', /−179/);
    assert.equal(await page.textContent('[data-testid="article-q"]'), '−86, −43, 0, 42, 84, 127');
    assert.equal(await page.textContent('[data-testid="article-pc-q"]'), '−43, 42, 127, 42, 84, 127');
    assert.equal(await page.textContent('[data-testid="article-pc-xhat"]'), '1, 2, 3, 4, 4.9882, 6');
    // The article's own arithmetic, redone with its printed numbers (scale 0.01961 per tensor, 0.007843 per channel).
    for (const said of [
      '1 / 0.01961 is 50.994 (51 with the unrounded scale 5/255), not 51.99: round(−128 − 50.994) = round(−178.994) = −179',
      'q(1.0) = round(50.994 − 180) = −129, not 0',
      'Channel 0: 1 / 0.007843 is 127.502, and round(−128 − 127.502) = −256. With the exact scale 2/255 the sum is −255.5, which rounds to −256 as well',
      'so 1 / scale is 127.499992, which rounds to 127: −128 − 127 = −255.',
      'round(x / scale + zero point) gives −127, 0, 128, −128, 0, 127; adding 255 and 638 instead, as its worked lines do, gives 383, 510, 638, 1148, 1276, 1403.',
      '0.007843 · (127 − 255) = −1.004, not 1.0, and its six lines give −1.004, 0, 1.004, −1.004, 1.004, 3.012.',
    ]) assert.ok(article?.includes(said), said);
    assert.match(await page.textContent('#steps') ?? '', /6 \/ 255 = 0\.0235294122/);
    await page.screenshot({ path: path.join(out, 'page-desktop.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should follow the options and the channel axis', async () => {
    const { page, errors } = await open('/');
    await page.check('input[name="dtype"][value="uint8"]');
    let lib = await library(page, ARTICLE, { shape: [2, 3], dtype: 'uint8', compat: 'pytorch' });
    assert.equal(await shown(page, 'pt-zp'), 0);
    assert.equal(await shown(page, 'pt-scale'), lib.scale);
    assert.deepEqual(await grid(page, 'pt-q'), lib.q);

    await page.check('input[name="scheme"][value="symmetric"]');
    lib = await library(page, ARTICLE, { shape: [2, 3], dtype: 'uint8', qscheme: 'per_tensor_symmetric', compat: 'pytorch' });
    assert.equal(await shown(page, 'pt-zp'), 128);
    assert.deepEqual(await grid(page, 'pt-q'), lib.q);

    await page.check('input[name="dtype"][value="int8"]');
    await page.check('input[name="scheme"][value="affine"]');
    await page.selectOption('#axis', '1');
    lib = await library(page, ARTICLE, { shape: [2, 3], axis: 1, compat: 'pytorch' });
    assert.deepEqual(await shown(page, 'pc-scale'), [f32(4 / 255), f32(5 / 255), f32(6 / 255)]);
    assert.deepEqual(await shown(page, 'pc-scale'), lib.scales);
    assert.deepEqual(await grid(page, 'pc-q'), lib.q);

    // The mapping can show one channel: its own scale and zero point, and no handles.
    const mapping = async () => page.$eval('svg.number-line', (el) => [Number(/** @type {SVGElement} */ (el).dataset.scale), Number(/** @type {SVGElement} */ (el).dataset.zeroPoint)]);
    assert.deepEqual(await mapping(), [f32(6 / 255), -128]);
    await page.selectOption('#view', '0');
    assert.deepEqual(await mapping(), [f32(4 / 255), -128]);
    assert.equal(await page.isVisible('[data-testid="handle-hi"]'), false);
    await page.selectOption('#view', '-1');
    assert.equal(await page.isVisible('[data-testid="handle-hi"]'), true);

    await page.check('#reduce-range');
    lib = await library(page, ARTICLE, { shape: [2, 3], reduceRange: true, compat: 'pytorch' });
    assert.equal(await shown(page, 'pt-scale'), lib.scale);
    assert.equal(await shown(page, 'pt-zp'), -64);
    assert.deepEqual(await grid(page, 'pt-q'), lib.q);
    await page.uncheck('#reduce-range');

    // Raw min/max: the formula wants -179; int8 stores -128; values clip, said in words.
    await page.uncheck('#include-zero');
    assert.equal(await shown(page, 'pt-zp'), -128);
    assert.equal(await shown(page, 'pt-scale'), f32(5 / 255));
    const rawQ = await page.evaluate(async () => {
      const m = await import('/js/index.js');
      return Array.from(m.quantizePerTensor(Float32Array.of(1, 2, 3, 4, 5, 6), { scale: 5 / 255, zeroPoint: -128, compat: 'pytorch' }).data);
    });
    assert.deepEqual(await grid(page, 'pt-q'), rawQ);
    assert.ok(await shown(page, 'pt-clipped') > 0);
    assert.match(await page.textContent('#warnings') ?? '', /zero point at −179, outside int8's \[−128, 127\]/);
    assert.match(await page.textContent('#steps') ?? '', /= −179 — outside \[−128, 127\]: int8 cannot store it, so it is clamped to −128\. 0\.0 maps exactly to the stored zero point\./);
    await page.check('#include-zero');
    assert.match(await page.textContent('#steps') ?? '', /round\(0\) = −128\. 0\.0 maps exactly to this integer\./);
    await page.uncheck('#include-zero');

    await page.check('input[name="compat"][value="onnx"]');
    assert.match(await page.textContent('#code-py') ?? '', /ONNX rounding/);
    await page.waitForFunction(() => location.search.includes('raw=1') && location.search.includes('cp=onnx'));

    // Reduce range below 8 bits halves the n-bit range, not int8's.
    for (const [query, half] of [['/?b=4&rr=1', 'half of the 4-bit int8 range [−8, 7]'], ['/?rr=1&dt=uint8', "half of uint8's [0, 255]"]]) {
      await page.goto(base + query);
      await page.waitForSelector('body[data-ready="true"]');
      assert.match(await page.textContent('#warnings') ?? '', new RegExp(`Reduce range: the scale and zero point are fitted to \\[[^\\]]+\\], ${half.replace(/[[\]]/g, '\\$&')}, `));
    }
    // npm start's server isolates the page, so its threads need no excuse.
    assert.equal(await page.isHidden('#threads-note'), true);
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should say why it runs on one thread when the page is not cross-origin isolated', async () => {
    const plain = createPageServer({ isolated: false });
    await new Promise((resolve) => plain.listen(0, '127.0.0.1', () => resolve(undefined)));
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (plain.address()).port}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    assert.match(await page.textContent('#backend') ?? '', /, 1 thread$/);
    assert.equal(await page.textContent('#threads-note'),
      'Why one thread: shared memory is not available (a browser page needs to be cross-origin isolated: COOP same-origin and COEP require-corp); running on one thread.');
    await page.close();
    await new Promise((resolve) => plain.close(() => resolve(undefined)));
  });

  await t.test('should move scale and zero point with the range handles', async () => {
    const { page, errors } = await open('/');
    const before = await shown(page, 'pt-scale');
    await page.locator('#number-line').scrollIntoViewIfNeeded();
    const hi = /** @type {import('playwright-core').BoundingBox} */ (await page.locator('[data-testid="handle-hi"]').boundingBox());
    await page.mouse.move(hi.x + hi.width / 2, hi.y + hi.height / 2);
    await page.mouse.down();
    await page.mouse.move(hi.x + hi.width / 2 + 40, hi.y + hi.height / 2, { steps: 4 });
    await page.mouse.up();
    const after = await shown(page, 'pt-scale');
    assert.ok(after > before, `dragging max right should grow the scale: ${before} -> ${after}`);
    // The shown qparams are the library's for the range the handles now hold.
    const check = async () => {
      const st = await page.getAttribute('body', 'data-state');
      const q = new URLSearchParams(st ?? '');
      const lo = Number(q.get('lo')), hi2 = Number(q.get('hi'));
      const lib = await page.evaluate(async ([lo, hi]) => {
        const m = await import('/js/index.js');
        const obs = new m.MinMaxObserver({ dtype: 'int8' });
        obs.observe(Float32Array.of(lo, hi));
        return obs.calculateQParams();
      }, [lo, hi2]);
      assert.equal(await shown(page, 'pt-scale'), lib.scale);
      assert.equal(await shown(page, 'pt-zp'), lib.zeroPoint);
      return { lo, hi: hi2 };
    };
    const r1 = await check();
    assert.equal(r1.lo, 1);

    // Dragging min below 0 moves the zero point up from -128.
    const lo = /** @type {import('playwright-core').BoundingBox} */ (await page.locator('[data-testid="handle-lo"]').boundingBox());
    await page.mouse.move(lo.x + lo.width / 2, lo.y + lo.height / 2);
    await page.mouse.down();
    await page.mouse.move(lo.x + lo.width / 2 - 300, lo.y + lo.height / 2, { steps: 6 });
    await page.mouse.up();
    const r2 = await check();
    assert.ok(r2.lo < 0, `min should now be negative, got ${r2.lo}`);
    assert.ok(await shown(page, 'pt-zp') > -128);

    // The keyboard moves a handle too.
    await page.focus('[data-testid="handle-hi"]');
    const s0 = await shown(page, 'pt-scale');
    await page.keyboard.press('ArrowRight');
    assert.ok(await shown(page, 'pt-scale') > s0);
    await check();
    // And the reset button gives the data's range back.
    await page.click('#range-reset');
    assert.equal(await shown(page, 'pt-scale'), f32(6 / 255));

    // A bad range entry is refused next to its field; the view keeps its range, and the field shows it again on blur.
    const view = async () => [await page.getAttribute('body', 'data-state'), await shown(page, 'pt-scale'), await shown(page, 'pt-zp')];
    const kept = await view();
    const refused = async (/** @type {string} */ id, /** @type {string} */ entry, /** @type {string} */ message) => {
      await page.fill(`#${id}`, entry);
      await page.press(`#${id}`, 'Enter');
      assert.deepEqual([await page.getAttribute(`#${id}`, 'aria-invalid'), await page.textContent(`#${id}-error`), await page.getAttribute(`#${id}`, 'aria-describedby')],
        ['true', message, `${id}-error`], entry);
      assert.deepEqual(await view(), kept, entry);
      await page.press(`#${id}`, 'Tab');
      assert.deepEqual([await page.getAttribute(`#${id}`, 'aria-invalid'), await page.inputValue(`#${id}`)], [null, id === 'range-lo' ? '1' : '6'], entry);
    };
    await refused('range-lo', '', 'Range min: the field is empty; it takes a number float32 can hold (|x| up to 3.4e38). Still 1 to 6.');
    await refused('range-lo', '1e39', 'Range min: 1e39; it takes a number float32 can hold (|x| up to 3.4e38). Still 1 to 6.');
    await refused('range-hi', '-1', 'Range max: -1 is not above Range min (1). Still 1 to 6.');
    await refused('range-lo', '7', 'Range min: 7 is not below Range max (6). Still 1 to 6.');
    await page.fill('#range-lo', '2');
    await page.press('#range-lo', 'Tab');
    assert.equal(await page.isHidden('#range-lo-error'), true);
    await page.fill('#range-hi', '2.00000001');
    await page.press('#range-hi', 'Tab');
    assert.equal(await page.textContent('#range-hi-error'), 'Range max: 2.00000001 is Range min (2) in float32. Still 2 to 6.');
    assert.deepEqual([await page.inputValue('#range-hi'), new URLSearchParams(await page.getAttribute('body', 'data-state') ?? '').get('lo')], ['6', '2']);

    // Rows and columns: a bad entry is refused the same way, and the tensor keeps its shape.
    await page.goto(`${base}/?p=normal&r=8&c=16`);
    await page.waitForSelector('body[data-ready="true"]');
    for (const [entry, message] of [['0', 'Rows: 0; it takes a whole number from 1 to 128. Still 8.'], ['129', 'Rows: 129; it takes a whole number from 1 to 128. Still 8.'],
      ['2.5', 'Rows: 2.5; it takes a whole number from 1 to 128. Still 8.'], ['', 'Rows: the field is empty; it takes a whole number from 1 to 128. Still 8.']]) {
      await page.fill('#rows', entry);
      await page.press('#rows', 'Tab');
      assert.deepEqual([await page.textContent('#rows-error'), await page.inputValue('#rows'), await page.getAttribute('body', 'data-state')],
        [message, '8', '?p=normal&r=8&c=16&seed=1'], entry);
    }
    await page.fill('#rows', '4');
    await page.press('#rows', 'Tab');
    assert.deepEqual([await page.isHidden('#rows-error'), await page.getAttribute('body', 'data-state')], [true, '?p=normal&r=4&c=16&seed=1']);
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should restore a view from the URL', async () => {
    const { page, errors } = await open('/?p=channels&r=8&c=16&seed=3&ax=1&dt=uint8&qs=symmetric');
    assert.equal(await page.inputValue('#preset'), 'channels');
    assert.equal(await page.inputValue('#axis'), '1');
    assert.equal(await page.isChecked('input[name="dtype"][value="uint8"]'), true);
    assert.equal(await page.isChecked('input[name="scheme"][value="symmetric"]'), true);
    const x = await pageTensor(page);
    assert.equal(x.length, 128);
    const lib = await library(page, x, { shape: [8, 16], axis: 1, dtype: 'uint8', qscheme: 'per_channel_symmetric', compat: 'pytorch' });
    assert.deepEqual(await shown(page, 'pc-scale'), lib.scales);
    assert.equal(await shown(page, 'pc-mse'), lib.mse);
    const libT = await library(page, x, { shape: [8, 16], dtype: 'uint8', qscheme: 'per_tensor_symmetric', compat: 'pytorch' });
    assert.equal(await shown(page, 'pt-scale'), libT.scale);
    assert.equal(await shown(page, 'pt-zp'), 128);
    await page.close();

    // Custom numbers travel in the URL, and so does a handle range.
    const custom = await open('/?p=custom&r=2&c=2&x=0.5,-1,2,3.25&lo=-2&hi=4');
    assert.equal(await custom.page.inputValue('[aria-label="Value at row 1, column 1"]'), '3.25');
    const obs = await custom.page.evaluate(async () => {
      const m = await import('/js/index.js');
      const o = new m.MinMaxObserver({ dtype: 'int8' });
      o.observe(Float32Array.of(-2, 4));
      const p = o.calculateQParams();
      return { ...p, q: Array.from(m.quantizePerTensor(Float32Array.of(0.5, -1, 2, 3.25), { ...p, compat: 'pytorch' }).data) };
    });
    assert.equal(await shown(custom.page, 'pt-scale'), obs.scale);
    assert.deepEqual(await grid(custom.page, 'pt-q'), obs.q);
    // A hand-edited link with values past float32 (finite doubles, infinite float32s) opens the default view.
    await custom.page.goto(`${base}/?p=custom&r=1&c=2&x=1,1e39&lo=1e39&hi=2e39`);
    await custom.page.waitForSelector('body[data-ready="true"]');
    assert.deepEqual([await custom.page.getAttribute('body', 'data-state'), await custom.page.evaluate(() => document.body.classList.contains('stale'))], ['', false]);
    assert.deepEqual([...errors, ...custom.errors], []);
    await custom.page.close();
  });

  await t.test('should take pasted numbers, a .npy file and edited cells', async () => {
    const { page, errors } = await open('/');
    await page.click('#paste summary');
    await page.fill('#paste-text', '[[0.1, -0.4], [2.5, 1.0], [-3, 0.75]]');
    await page.click('#paste-load');
    assert.equal(await page.inputValue('#rows'), '3');
    assert.equal(await page.inputValue('#cols'), '2');
    let lib = await library(page, [0.1, -0.4, 2.5, 1.0, -3, 0.75], { shape: [3, 2], compat: 'pytorch' });
    assert.deepEqual(await grid(page, 'pt-q'), lib.q);

    // A float32 .npy of shape (2, 4), written here byte by byte.
    const values = [1.5, -2, 0.25, 8, -0.125, 3, 4, -6];
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }";
    header = header.padEnd(64 - 10 - 1, ' ') + '\n';
    const head = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
    head.writeUInt16LE(header.length, 8);
    const npy = Buffer.concat([head, Buffer.from(header), Buffer.from(new Float32Array(values).buffer)]);
    await page.setInputFiles('#file', { name: 'w.npy', mimeType: 'application/octet-stream', buffer: npy });
    await page.waitForFunction(() => /** @type {HTMLInputElement} */ (document.getElementById('cols')).value === '4');
    lib = await library(page, values, { shape: [2, 4], compat: 'pytorch' });
    assert.deepEqual(await grid(page, 'pt-q'), lib.q);

    // Editing one cell requantizes.
    await page.fill('[aria-label="Value at row 0, column 3"]', '16');
    await page.press('[aria-label="Value at row 0, column 3"]', 'Enter');
    await page.locator('#rows').focus();
    values[3] = 16;
    lib = await library(page, values, { shape: [2, 4], compat: 'pytorch' });
    assert.equal(await shown(page, 'pt-scale'), lib.scale);
    assert.deepEqual(await grid(page, 'pt-q'), lib.q);

    // What the page cannot quantize is refused with the reason, and the tensor stays as it was.
    const state = await page.getAttribute('body', 'data-state');
    /** @type {[string, string][]} */
    const pastes = [
      ['3e38 -3e38 1\n2 3 4', 'Could not use these numbers: the values span -3e+38 to 3e+38, wider than float32 can hold (3.4e38): no finite scale covers them'],
      ['1 1e39', "Could not use these numbers: value 2 is 1e+39: beyond float32's range (±3.4e38)"],
      ['[true, false, null]', 'Could not use these numbers: JSON entry 1 is true, not a number'],
    ];
    for (const [text, message] of pastes) {
      await page.fill('#paste-text', text);
      await page.click('#paste-load');
      assert.deepEqual([await page.textContent('#paste-error'), await page.getAttribute('body', 'data-state')], [message, state], text);
    }
    await page.setInputFiles('#file', { name: 'cut.npy', mimeType: 'application/octet-stream', buffer: npy.subarray(0, npy.length - 4) });
    await page.waitForFunction(() => /cut\.npy/.test(document.getElementById('paste-error')?.textContent ?? ''));
    assert.equal(await page.textContent('#paste-error'), 'Could not read cut.npy: .npy shape (2, 4) of <f4 needs 32 data bytes, the file has 28');
    assert.equal(await page.getAttribute('body', 'data-state'), state);
    // A cell past float32 is refused under the grid; the cell keeps its value for the tensor.
    const cell = '[aria-label="Value at row 0, column 0"]';
    await page.fill(cell, '1e39');
    await page.press(cell, 'Enter');
    assert.deepEqual([await page.getAttribute(cell, 'aria-invalid'), await page.textContent('#cells-error'), await page.getAttribute('body', 'data-state')],
      ['true', "Row 0, column 0: 1e39 is beyond float32's range (±3.4e38). The tensor keeps 1.5 there.", state]);
    // Cells the library refuses together (a range float32 cannot span) stay in the editor, to be seen and fixed.
    await page.fill(cell, '3e38');
    await page.press(cell, 'Enter');
    await page.fill('[aria-label="Value at row 0, column 1"]', '-3e38');
    await page.press('[aria-label="Value at row 0, column 1"]', 'Enter');
    assert.equal(await page.evaluate(() => document.body.classList.contains('stale')), true);
    assert.match(await page.textContent('#warnings') ?? '', /^Not possible: /);
    assert.deepEqual(await page.$$eval('#cells input', (els) => els.slice(0, 2).map((e) => /** @type {HTMLInputElement} */ (e).value)), ['3e+38', '-3e+38']);
    await page.fill('[aria-label="Value at row 0, column 1"]', '-2');
    await page.press('[aria-label="Value at row 0, column 1"]', 'Enter');
    assert.equal(await page.evaluate(() => document.body.classList.contains('stale')), false);
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should show code that reproduces the view', async (st) => {
    const views = ['/', '/?dt=uint8&qs=symmetric&ax=1', '/?raw=1', '/?lo=-1.5&hi=4', '/?p=outlier&r=4&c=8&seed=2&rr=1&ax=1',
      '/?p=channels&r=10&c=6&seed=5&cp=onnx', '/?p=outlier&r=4&c=8&seed=2&b=4&g=4', '/?p=channels&r=6&c=4&seed=3&b=3&g=2&ax=1&dt=uint8',
      '/?p=normal&r=4&c=8&seed=4&b=2&g=2&qs=symmetric', '/?raw=1&b=4&g=1', '/?p=outlier&r=8&c=8&seed=1&b=5&g=4&ax=1&rr=1&cp=onnx'];
    const { page, errors } = await open('/');
    for (const v of views) {
      await page.goto(base + v);
      await page.waitForSelector('body[data-ready="true"]');
      const shownQ = { t: await grid(page, 'pt-q'), c: await grid(page, 'pc-q'), g: await grid(page, 'pg-q') };
      assert.ok(shownQ.t && shownQ.t.length > 1, `${v} should show its grids as numbers`);
      const { rows, cols, axis } = await page.evaluate(async () => {
        const { fromQuery } = await import('/state.js');
        return fromQuery(location.search);
      });
      const js = await runJsSnippet(page);
      assert.deepEqual({ ...js, g: ungroup(js.g, rows, cols, axis) }, shownQ, `qdq-wasm snippet for ${v}`);
      if (HAS_TORCH) {
        const py = await runPySnippet(page);
        assert.deepEqual({ ...py, g: ungroup(py.g, rows, cols, axis) }, shownQ, `PyTorch snippet for ${v}`);
      }
    }
    if (!HAS_TORCH) st.diagnostic('PyTorch snippets not run: /usr/bin/python3 has no torch');
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should quantize to n bits, per group, with a group size and a group in the mapping', async () => {
    const { page, errors } = await open('/?p=outlier&r=8&c=16&seed=2');
    const x = await pageTensor(page);
    // Bits: 8 is int8 itself; 4 narrows the codes to [-8, 7] through quantMin/quantMax.
    assert.equal(await page.inputValue('#bits'), '8');
    await page.selectOption('#bits', '4');
    const n4 = { quantMin: -8, quantMax: 7 };
    let lib = await libraryNBits(page, x, { shape: [8, 16], ...n4 });
    assert.equal(await shown(page, 'pt-scale'), lib.scale);
    assert.equal(await shown(page, 'pt-zp'), lib.zeroPoint);
    // The grids are heatmaps at 8x16: the codes they draw come from compute.js, the page's one door to the library.
    const ptQ = await page.evaluate(async () => {
      const { perTensor } = await import('/compute.js');
      const { DEFAULTS } = await import('/state.js');
      const { presetTensor } = await import('/presets.js');
      return Array.from(perTensor(presetTensor('outlier', 8, 16, 2).values, [8, 16], { ...DEFAULTS, bits: 4 }).q);
    });
    assert.deepEqual(ptQ, lib.q);
    assert.ok(lib.q.every((v) => v >= -8 && v <= 7));
    assert.equal(await shown(page, 'pt-mse'), lib.mse);
    const libC = await libraryNBits(page, x, { shape: [8, 16], axis: 0, ...n4 });
    assert.deepEqual(await shown(page, 'pc-scale'), libC.scales);
    assert.equal(await shown(page, 'pc-mse'), libC.mse);
    assert.match(await page.textContent('#bits-range') ?? '', /−8 to 7: 16 levels/);
    assert.match(await page.textContent('#warnings') ?? '', /4 bits: 16 codes \[−8, 7\]/);

    // Per group: the sizes are the divisors of the channel length (16 along axis 0); default 8.
    assert.deepEqual(await page.$$eval('#group-size option', (o) => o.map((e) => /** @type {HTMLOptionElement} */ (e).value)), ['1', '2', '4', '8', '16']);
    assert.equal(await page.inputValue('#group-size'), '8');
    await page.selectOption('#group-size', '4');
    let libG = await libraryNBits(page, x, { shape: [32, 4], axis: 0, ...n4 });
    assert.deepEqual(await shown(page, 'pg-scale'), libG.scales);
    assert.deepEqual(await shown(page, 'pg-zp'), libG.zeroPoints);
    assert.equal(await shown(page, 'pg-mse'), libG.mse);
    assert.equal(await shown(page, 'pg-maxabs'), libG.maxAbs);
    // The lesson: at 4 bits, groups of 4 beat whole channels, which beat one scale for the tensor.
    assert.ok(libG.mse < libC.mse && libC.mse < lib.mse, `MSE per group ${libG.mse}, per channel ${libC.mse}, per tensor ${lib.mse}`);
    assert.match(await page.textContent('#group-table caption') ?? '', /4 groups of 4 \(32 scales/);
    assert.equal(await page.$$eval('#group-table tbody tr', (r) => r.length), 17);

    // Groups of 16 are a MatMulNBits block size: the page also shows onnxruntime's quantizer on them.
    assert.equal(await page.isVisible('#ort-blocks'), false, 'groups of 4 are no MatMulNBits block');
    await page.selectOption('#group-size', '16');
    assert.equal(await page.isVisible('#ort-blocks'), true);
    const ortErr = await page.evaluate(async (x) => {
      const m = await import('/js/index.js');
      const e = m.quantizeBlockwise(Float32Array.from(x), { n: 8, k: 16, bits: 4, blockSize: 16 }).error;
      return { mse: e.mse, maxAbsError: e.maxAbsError, sqnr: e.sqnr };
    }, x);
    assert.deepEqual(await shown(page, 'ort-blocks'), ortErr);
    await page.selectOption('#group-size', '4');

    // Groups down the columns (axis 1): each column of 8 in two groups of 4.
    await page.selectOption('#axis', '1');
    assert.deepEqual(await page.$$eval('#group-size option', (o) => o.map((e) => /** @type {HTMLOptionElement} */ (e).value)), ['1', '2', '4', '8']);
    libG = await libraryNBits(page, regroup(x, 8, 16, 1), { shape: [32, 4], axis: 0, ...n4 });
    assert.deepEqual(await shown(page, 'pg-scale'), libG.scales);
    assert.equal(await shown(page, 'pg-mse'), libG.mse);
    const pgQ = await page.evaluate(async () => {
      const { perGroup } = await import('/compute.js');
      const { DEFAULTS } = await import('/state.js');
      const { presetTensor } = await import('/presets.js');
      return Array.from(perGroup(presetTensor('outlier', 8, 16, 2).values, [8, 16], { ...DEFAULTS, bits: 4, group: 4, axis: 1 }).q);
    });
    assert.deepEqual(pgQ, ungroup(libG.q, 8, 16, 1));

    // One group in the mapping and the histogram: its own scale and zero point, highlighted in the table.
    await page.selectOption('#view', '-2');
    assert.equal(await page.isVisible('#group-view'), true);
    await page.fill('#group-view', '5');
    await page.press('#group-view', 'Enter');
    const mapping = async () => page.$eval('svg.number-line', (el) => [Number(/** @type {SVGElement} */ (el).dataset.scale), Number(/** @type {SVGElement} */ (el).dataset.zeroPoint)]);
    assert.deepEqual(await mapping(), [libG.scales[5], libG.zeroPoints[5]]);
    assert.equal(await page.isVisible('[data-testid="handle-hi"]'), false);
    assert.equal(await page.textContent('#histogram-of'), '(group 5)');
    assert.equal(await page.textContent('#group-table tr[aria-current] td'), '5');
    assert.match(await page.textContent('#mapping') ?? '', /4-bit signed, −8 to 7/);
    await page.waitForFunction(() => ['b=4', 'g=4', 'ax=1', 'gv=5'].every((k) => location.search.includes(k)));
    await page.screenshot({ path: path.join(out, 'page-4bit-groups.png'), fullPage: true });

    // The same view from its URL; a group size that does not divide the channel falls to a divisor.
    await page.goto(`${base}/?p=outlier&r=8&c=16&seed=2&b=3&g=6&dt=uint8&gv=3`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.inputValue('#bits'), '3');
    assert.equal(await page.inputValue('#view'), '-2');
    assert.equal(await page.inputValue('#group-view'), '3');
    assert.equal(await page.inputValue('#group-size'), '4');
    assert.match(await page.textContent('#group-note') ?? '', /6 does not divide 16/);
    libG = await libraryNBits(page, x, { shape: [32, 4], axis: 0, dtype: 'uint8', quantMin: 0, quantMax: 7 });
    assert.deepEqual(await shown(page, 'pg-scale'), libG.scales);
    assert.deepEqual(await mapping(), [libG.scales[3], libG.zeroPoints[3]]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should redraw a 64x64 tensor on every option change', async () => {
    // Speed is measured in bench/page-redraw.js, not here: a shared CI core
    // cannot promise a frame budget. This checks that every change redraws.
    const { page, errors } = await open('/?p=normal&r=64&c=64');
    await page.evaluate(() => { /** @type {any} */ (window).__qdqTiming.all.length = 0; });
    for (let i = 0; i < 10; i++) {
      await page.check(`input[name="dtype"][value="${i % 2 ? 'int8' : 'uint8'}"]`);
      await page.selectOption('#axis', String((i >> 1) % 2));
    }
    const times = /** @type {number[]} */ (await page.evaluate(() => /** @type {any} */ (window).__qdqTiming.all.slice()));
    assert.equal(times.length, 20);
    // A burst of changes within one frame draws once, with the last state, and the URL follows.
    await page.evaluate(() => { for (let i = 0; i < 30; i++) /** @type {HTMLButtonElement} */ (document.getElementById('reroll')).click(); });
    await page.evaluate(() => /** @type {any} */ (window).__qdqSettled());
    assert.deepEqual(await page.evaluate(() => [/** @type {any} */ (window).__qdqTiming.all.length, document.body.dataset.state]),
      [21, '?p=normal&r=64&c=64&seed=31']);
    await page.waitForFunction(() => location.search === '?p=normal&r=64&c=64&seed=31');
    await page.screenshot({ path: path.join(out, 'page-64x64.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('should draw after a drag and option changes what a fresh load of the same view draws', async () => {
    // A drag of the range handles keeps the per-channel and per-group results and redraws only the parts
    // that changed (web/main.js handleFree and unlessSame, web/patch.js, web/grids.js): after each step,
    // everything drawn must equal what a new page opened at the same view draws from scratch.
    const drawn = (/** @type {import('playwright-core').Page} */ page) => page.evaluate(() => {
      /** @param {string} sel */
      const texts = (sel) => Array.from(document.querySelectorAll(sel), (el) => /** @type {HTMLElement} */ (el).innerHTML);
      const pixels = Array.from(document.querySelectorAll('figure.grid canvas'), (c) => {
        const cv = /** @type {HTMLCanvasElement} */ (c);
        const d = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d')).getImageData(0, 0, cv.width, cv.height).data;
        let h = 0;
        for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) | 0;
        return `${cv.closest('figure')?.dataset.testid} ${cv.width}x${cv.height} ${h} ${cv.getAttribute('aria-label')}`;
      });
      return {
        state: document.body.dataset.state, pixels, cells: texts('figure.grid td'),
        values: Array.from(document.querySelectorAll('figure.grid'), (f) => /** @type {HTMLElement} */ (f).dataset.values),
        tables: texts('#compare-table, #channel-table, #group-table'),
        values2: Array.from(document.querySelectorAll('#compare-table td'), (td) => /** @type {HTMLElement} */ (td).dataset.value),
        prose: texts('#steps, #warnings, #error-legend, #code-js, #code-py, #ort-blocks'),
      };
    });
    // Canvases (24 x 40) and tables with numbers (4 x 6).
    for (const url of ['/?p=normal&r=24&c=40&seed=5', '/?p=normal&r=4&c=6&seed=2']) {
      const { page, errors } = await open(url);
      /** @type {[string, () => Promise<unknown>][]} */
      const steps = [
        ['mouse drag', async () => {
          await page.locator('#number-line').scrollIntoViewIfNeeded();
          const hi = /** @type {import('playwright-core').BoundingBox} */ (await page.locator('[data-testid="handle-hi"]').boundingBox());
          await page.mouse.move(hi.x + hi.width / 2, hi.y + hi.height / 2);
          await page.mouse.down();
          await page.mouse.move(hi.x + hi.width / 2 - 30, hi.y + hi.height / 2, { steps: 5 });
          await page.mouse.up();
        }],
        ['range', async () => { await page.fill('#range-lo', '-1.5'); await page.press('#range-lo', 'Enter'); }],
        ['range again', async () => { await page.fill('#range-hi', '0.75'); await page.press('#range-hi', 'Enter'); }],
        ['dtype', () => page.check('input[name="dtype"][value="uint8"]')],
        ['range after dtype', async () => { await page.fill('#range-lo', '-2.25'); await page.press('#range-lo', 'Enter'); }],
        ['axis', () => page.selectOption('#axis', '1')],
        ['bits', () => page.selectOption('#bits', '4')],
        ['group', async () => page.selectOption('#group-size', await page.$eval('#group-size', (el) => /** @type {HTMLSelectElement} */ (el).options[1].value))],
        ['scheme', () => page.check('input[name="scheme"][value="symmetric"]')],
        ['range after all', async () => { await page.fill('#range-hi', '3'); await page.press('#range-hi', 'Enter'); }],
        ['channel view', () => page.selectOption('#view', '1')],
        ['group view', () => page.selectOption('#view', '-2')],
        ['reroll', () => page.click('#reroll')],
      ];
      for (const [name, step] of steps) {
        await step();
        const after = await drawn(page);
        const fresh = await open(`/${after.state}`);
        assert.deepEqual(await drawn(fresh.page), after, `${url}: ${name}`);
        assert.deepEqual(fresh.errors, [], name);
        await fresh.page.close();
      }
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  await t.test('should fit a phone and label every control', async () => {
    const { page, errors } = await open('/', { width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow} px wider than the phone`);
    // Tables scroll sideways rather than break a number across lines, and their captions wrap on screen.
    const layout = await page.evaluate(() => {
      /** @type {string[]} */
      const broken = [];
      for (const td of document.querySelectorAll('#compare-table td, #channel-table td')) {
        const text = td.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) continue;
        for (const m of (text.textContent ?? '').matchAll(/\S+/g)) {
          const r = document.createRange();
          r.setStart(text, m.index ?? 0);
          r.setEnd(text, (m.index ?? 0) + m[0].length);
          if (r.getClientRects().length > 1) broken.push(m[0]);
        }
      }
      const captions = [...document.querySelectorAll('#compare-table caption, #channel-table caption, #group-table caption')]
        .filter((c) => c.getBoundingClientRect().right > innerWidth).map((c) => c.textContent);
      return { broken, captions };
    });
    assert.deepEqual(layout, { broken: [], captions: [] });
    const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea, [role="slider"]'))
      .filter((el) => !(/** @type {HTMLInputElement} */ (el).labels?.length) && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
    // Tab reaches the range handles.
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'handle-lo');
    }
    assert.ok(reached, 'Tab should reach the range handles');
    // Keyboard focus draws a dark ring round the handle (not only a darker fill, 1.8:1).
    assert.deepEqual(await page.$eval('[data-testid="handle-lo"] rect', (r) => [getComputedStyle(r).stroke, getComputedStyle(r).strokeWidth]), ['rgb(29, 35, 41)', '2px']);
    // The mapping's name is its description (aria-labelledby to the heading would hide it).
    assert.deepEqual(await page.$eval('svg.number-line', (s) => [s.getAttribute('aria-labelledby'), s.getAttribute('role'), s.getAttribute('aria-label')]),
      [null, 'group', 'Mapping of 6 values: scale 0.0235294, zero point −128; 0 values clip.']);
    // Every grid cell's text is at least 4.5:1 on its colour (WCAG AA), and a clipped cell's ring at least 3:1 on white.
    const contrast = await page.evaluate(() => {
      const rgb = (/** @type {string} */ c) => (c.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      const lum = (/** @type {number[]} */ c) => {
        const f = (/** @type {number} */ v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
      };
      const ratio = (/** @type {string} */ a, /** @type {string} */ b) => {
        const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
      };
      const cells = [...document.querySelectorAll('figure.grid td')].map((td) => ratio(getComputedStyle(td).color, getComputedStyle(td).backgroundColor));
      const probe = document.createElement('td');
      probe.className = 'clipped';
      document.querySelector('figure.grid tr')?.append(probe);
      const ring = ratio(getComputedStyle(probe).outlineColor, 'rgb(255, 255, 255)');
      probe.remove();
      return { cells: cells.length, worst: Math.min(...cells), ring };
    });
    assert.ok(contrast.cells >= 36 && contrast.worst >= 4.5 && contrast.ring >= 3, JSON.stringify(contrast));
    await page.screenshot({ path: path.join(out, 'page-phone.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
