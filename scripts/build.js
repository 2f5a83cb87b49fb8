// Runs build.sh where bash exists. Elsewhere (Windows without Git Bash) it
// says so and keeps the committed dist/*.wasm, so `npm start` still serves the
// page. There is no prepack step: the committed builds are what `npm pack` and
// `npm install git+…` ship (CI keeps them fresh), so neither needs a toolchain
// or the development dependencies; prepublishOnly runs this script.
// Run directly: node scripts/build.js
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const r = spawnSync('bash', [path.join(root, 'build.sh')], { cwd: root, stdio: 'inherit' });
if (r.error && /** @type {NodeJS.ErrnoException} */ (r.error).code === 'ENOENT') {
  const committed = ['dist/qdq-simd128.wasm', 'dist/qdq-relaxed.wasm'].every((f) => existsSync(path.join(root, f)));
  if (process.env.CI === 'true' || !committed) {
    console.error('build: bash not found; build.sh needs bash (on Windows: Git Bash or WSL)');
    process.exit(1);
  }
  console.log('build: bash not found, so build.sh cannot run; using the committed dist/*.wasm');
  process.exit(0);
}
process.exit(r.status ?? 1);
