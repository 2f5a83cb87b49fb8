// The probes of bench/probes/*.c: built on demand with the SIMD128 build's
// compiler and flags (build.sh: emcc's LLVM, -O3 -msimd128) into build/,
// never into dist/, and rebuilt when the source is newer than the module.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds bench/probes/<name>.c exporting `exports` (C names) and returns the module's path.
 * @param {string} name @param {string[]} exports
 * @returns {string}
 */
export function buildProbe(name, exports) {
  const src = path.join(root, 'bench/probes', `${name}.c`);
  const out = path.join(root, 'build', `${name}-probe.wasm`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(path.dirname(out), { recursive: true });
    const r = spawnSync('emcc', ['-O3', '-msimd128', src, '--no-entry', '-sSTANDALONE_WASM', '-sALLOW_MEMORY_GROWTH=1',
      '-sINITIAL_MEMORY=16MB', '-sTOTAL_STACK=64KB', '-sMAXIMUM_MEMORY=512MB',
      `-sEXPORTED_FUNCTIONS=${exports.map((e) => `_${e}`).join(',')}`, '-o', out],
    { stdio: 'inherit', env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } });
    if (r.status !== 0) throw new Error(`bench: building bench/probes/${name}.c failed`);
  }
  return out;
}

/**
 * Instantiates a module built by buildProbe (no imports are called) and returns its exports.
 * @param {string} file @returns {any}
 */
export function instantiateProbe(file) {
  const stub = new Proxy({}, { get: () => () => 0 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { wasi_snapshot_preview1: stub, env: stub });
  const ex = /** @type {any} */ (inst.exports);
  ex._initialize?.();
  return ex;
}

/**
 * buildProbe then instantiateProbe.
 * @param {string} name @param {string[]} exports @returns {any}
 */
export function loadProbe(name, exports) {
  return instantiateProbe(buildProbe(name, exports));
}
