// npm run bench: runs every bench/*.js (except this file) in sequence, each
// in its own Node process so that one benchmark's heap and JIT state do not
// skew the next, with --expose-gc so a benchmark may collect garbage
// between timed runs. Each prints its own table. Exits non-zero if any fails.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const self = path.basename(fileURLToPath(import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.js') && f !== self).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n== bench/${f} ==\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench/${f} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
