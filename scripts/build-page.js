// Bundles the page's d3 dependencies into web/vendor/d3.js (gitignored).
// The page's own modules and the library are served unbundled.
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
await build({
  entryPoints: [path.join(root, 'web/vendor-src/d3.js')],
  outfile: path.join(root, 'web/vendor/d3.js'),
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  logLevel: 'warning',
});
// Its types, which TypeScript reads in place of the minified bundle.
copyFileSync(path.join(root, 'web/vendor-src/d3.d.ts'), path.join(root, 'web/vendor/d3.d.ts'));
console.log('build-page: web/vendor/d3.js, d3.d.ts');
