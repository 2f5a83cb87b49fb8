// Runs build.sh where bash exists. Elsewhere (Windows without Git Bash) it
// says so and keeps the committed dist/*.wasm, so `npm start` still serves the
// page. --pack (prepack, also run by `npm install git+…`): never strict, even
// under a consumer's CI=true, because the committed builds are enough to pack.
// Run directly: node scripts/build.js [--pack]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pack = process.argv.includes('--pack');
const env = { ...process.env };
if (pack) delete env.CI;

const r = spawnSync('bash', [path.join(root, 'build.sh')], { cwd: root, stdio: 'inherit', env });
if (r.error && /** @type {NodeJS.ErrnoException} */ (r.error).code === 'ENOENT') {
  const committed = ['dist/qdq-simd128.wasm', 'dist/qdq-relaxed.wasm'].every((f) => existsSync(path.join(root, f)));
  if (env.CI === 'true' || !committed) {
    console.error('build: bash not found; build.sh needs bash (on Windows: Git Bash or WSL)');
    process.exit(1);
  }
  console.log('build: bash not found, so build.sh cannot run; using the committed dist/*.wasm');
  process.exit(0);
}
process.exit(r.status ?? 1);
