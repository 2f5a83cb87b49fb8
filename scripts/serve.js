// npm start: a static server for the page (web/), the library (js/) and its
// wasm builds (dist/). node:http only, so it runs offline on a fresh clone.
// Run directly: node scripts/serve.js  (port 8080, or $PORT)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** URL prefixes served from folders outside web/; everything else comes from web/. */
const MOUNTS = [
  ['/js/', path.join(root, 'js')],
  ['/dist/', path.join(root, 'dist')],
  // The model lab's data (the committed Fashion-MNIST subset, the snippets' fixture) and float weights,
  // at the paths they have from the repository root, as js/ (so a static server at the root works too).
  ['/tests/fixtures/', path.join(root, 'tests/fixtures')],
  ['/models/', path.join(root, 'models')],
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', // WebAssembly.compileStreaming refuses any other type
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.npy': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Maps a request path to a file under one of the served folders, or null
 * when it would escape them.
 * @param {string} urlPath decoded path, starting with '/'
 * @returns {string | null}
 */
function resolve(urlPath) {
  let base = path.join(root, 'web');
  let rest = urlPath;
  for (const [prefix, dir] of MOUNTS) {
    if (urlPath.startsWith(prefix)) {
      base = dir;
      rest = urlPath.slice(prefix.length - 1);
      break;
    }
  }
  if (rest.endsWith('/')) rest += 'index.html';
  const file = path.join(base, path.normalize(rest));
  return file.startsWith(base + path.sep) ? file : null;
}

/**
 * The headers that make a page cross-origin isolated, so that it may share
 * wasm memory with workers (SharedArrayBuffer): the library's thread pool.
 */
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Creates (does not start) the page server. By default it sends COOP/COEP
 * (cross-origin isolated: the page runs threaded); `isolated: false` serves
 * without them (one thread), for the tests of that case.
 * @param {{ isolated?: boolean }} [options]
 * @returns {import('node:http').Server}
 * @example
 * const server = createPageServer();
 * server.listen(0, () => console.log(server.address().port));
 */
export function createPageServer({ isolated = true } = {}) {
  return createServer(async (req, res) => {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    const file = resolve(urlPath);
    if (file === null || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file === null ? 403 : 405).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        // A teaching page edited while it runs: never serve a stale module.
        'cache-control': 'no-store',
        ...(isolated ? ISOLATION : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...(isolated ? ISOLATION : {}) })
        .end(`not found: ${urlPath}`);
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  const server = createPageServer();
  server.listen(port, () => {
    console.log(`qdq-wasm page: http://localhost:${port}/  (Ctrl+C to stop)`);
  });
}
