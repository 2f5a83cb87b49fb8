// The browser benchmarks' server: an empty page at /, and the checkout's files
// under the given folders (nothing else), on 127.0.0.1 at a free port.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/**
 * @param {{ dirs: string[], headers?: Record<string, string>, routes?: Record<string, Uint8Array> }} opts
 *   dirs: folders of the checkout to serve; headers: sent with every response (COOP/COEP for a
 *   cross-origin isolated page); routes: bytes served at these paths instead of files
 * @returns {Promise<{ url: string, close: () => void }>}
 */
export async function servePage({ dirs, headers = {}, routes = {} }) {
  const allowed = dirs.map((d) => path.join(root, d) + path.sep);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const type = (/** @type {string} */ p) => TYPES[/** @type {keyof typeof TYPES} */ (path.extname(p))] ?? 'application/octet-stream';
    if (url.pathname === '/') return void res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>');
    const route = routes[url.pathname];
    if (route !== undefined) return void res.writeHead(200, { ...headers, 'content-type': type(url.pathname) }).end(route);
    // path.join resolves '..' first, so the prefix check keeps requests inside the folders.
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!allowed.some((d) => file.startsWith(d))) return void res.writeHead(404).end();
    let body;
    try {
      body = readFileSync(file);
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { ...headers, 'content-type': type(file) }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}
