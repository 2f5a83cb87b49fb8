// What the page's end-to-end suites share: `npm start`'s server on a free
// port and a headless Debian Chromium with nothing that phones home, and the
// folder for screenshots a human looks at (tests/out/, gitignored).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createPageServer } from '../../scripts/serve.js';

/** tests/out/: screenshots. */
export const out = fileURLToPath(new URL('../out/', import.meta.url));
mkdirSync(out, { recursive: true });

/**
 * Starts the page server and the browser.
 * @returns {Promise<{ base: string, browser: import('playwright-core').Browser, close(): Promise<void> }>}
 */
export async function startPageBrowser() {
  const server = createPageServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
