// The interactive page's redraw time for a 64x64 tensor in headless Chromium:
// median of 20 redraws driven by real option changes (dtype, axis). A frame
// at 60 Hz is 16.7 ms. Run: node bench/page-redraw.js (after npm run build).
import os from 'node:os';
import { startPageBrowser } from '../tests/helpers/page-browser.js';

const { base, browser, close } = await startPageBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/?p=normal&r=64&c=64`);
  await page.waitForSelector('body[data-ready="true"]');
  for (const v of ['uint8', 'int8', 'uint8', 'int8']) await page.check(`input[name="dtype"][value="${v}"]`);
  await page.evaluate(() => { /** @type {any} */ (window).__qdqTiming.all.length = 0; });
  for (let i = 0; i < 10; i++) {
    await page.check(`input[name="dtype"][value="${i % 2 ? 'int8' : 'uint8'}"]`);
    await page.selectOption('#axis', String((i >> 1) % 2));
  }
  const times = /** @type {number[]} */ (await page.evaluate(() => /** @type {any} */ (window).__qdqTiming.all.slice()));
  times.sort((a, b) => a - b);
  console.log(`machine: ${os.cpus()[0]?.model}, Chromium ${browser.version()}`);
  console.log(`64x64 redraw over ${times.length}: median ${times[times.length >> 1].toFixed(1)} ms, ` +
    `min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)} (one 60 Hz frame: 16.7 ms)`);
} finally {
  await close();
}
