// The interactive page's redraw time in headless Chromium, as render() measures it (script, style
// and layout; web/main.js __qdqTiming): median of 20 redraws of a 64x64 tensor driven by real option
// changes (dtype, axis), and of a 128x128 tensor while a range handle is dragged with the mouse, one
// move per frame as Chromium delivers them. A frame at 60 Hz is 16.7 ms.
// Run: node bench/page-redraw.js (after npm run build).
import os from 'node:os';
import { startPageBrowser } from '../tests/helpers/page-browser.js';

/** @param {number[]} times */
function summary(times) {
  times.sort((a, b) => a - b);
  return `median ${times[times.length >> 1].toFixed(1)} ms, min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}`;
}

const { base, browser, close } = await startPageBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const times = async () => /** @type {number[]} */ (await page.evaluate(() => /** @type {any} */ (window).__qdqTiming.all.splice(0)));
  const settled = () => page.evaluate(() => /** @type {any} */ (window).__qdqSettled());
  await page.goto(`${base}/?p=normal&r=64&c=64`);
  await page.waitForSelector('body[data-ready="true"]');
  for (const v of ['uint8', 'int8', 'uint8', 'int8']) await page.check(`input[name="dtype"][value="${v}"]`);
  await settled();
  await times();
  for (let i = 0; i < 10; i++) {
    await page.check(`input[name="dtype"][value="${i % 2 ? 'int8' : 'uint8'}"]`);
    await settled();
    await page.selectOption('#axis', String((i >> 1) % 2));
    await settled();
  }
  const options = await times();
  console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} logical CPUs, load average ${os.loadavg()[0].toFixed(1)}, Chromium ${browser.version()}`);
  console.log(`64x64 option change, ${options.length} redraws: ${summary(options)} (one 60 Hz frame: 16.7 ms)`);

  await page.goto(`${base}/?p=normal&r=128&c=128`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.locator('#number-line').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid="handle-hi"]').boundingBox();
  if (!box) throw new Error('no range handle');
  const [x0, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.move(x0, y);
  await page.mouse.down();
  /** @type {number[]} */
  const drag = [];
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 1; i <= 20; i++) {
      // Leftwards and back: the handle's value changes on every move, as in a real drag.
      await page.mouse.move(x0 - 4 * (pass === 0 ? i : 21 - i), y);
      await settled();
    }
    // The first pass warms the page up.
    const t = await times();
    if (pass === 1) drag.push(...t);
  }
  await page.mouse.up();
  console.log(`128x128 handle drag, ${drag.length} redraws: ${summary(drag)}`);
} finally {
  await close();
}
