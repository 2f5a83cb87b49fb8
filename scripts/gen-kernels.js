// Expands kernel templates (*.c.in) into src/<family>/gen/*.c.
//   node scripts/gen-kernels.js          write every generated file
//   node scripts/gen-kernels.js --check  fail if any generated file differs (npm test runs this)
//
// Template syntax, a small subset of XNNPACK's xngen:
//   $if <js expression>  /  $elif <expr>  /  $else  /  $endif     line directives, may nest
//   ${<js expression>}                                              inline substitution
// Expressions see the job's variables (e.g. DATATYPE).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Variables of an 8-bit type: QS8 (int8) or QU8 (uint8). */
const q8 = (DATATYPE) => ({ DATATYPE, datatype: DATATYPE.toLowerCase(), XINT8_T: DATATYPE === 'QS8' ? 'int8_t' : 'uint8_t' });

/** [template, output, variables]: one line per generated kernel. */
const JOBS = [
  ['src/f32-qs8-vcvt/scalar.c.in', 'src/f32-qs8-vcvt/gen/f32-qs8-vcvt-scalar-u1.c', q8('QS8')],
  ['src/f32-qs8-vcvt/scalar.c.in', 'src/f32-qu8-vcvt/gen/f32-qu8-vcvt-scalar-u1.c', q8('QU8')],
  ['src/f32-qs8-vcvt/wasmsimd.c.in', 'src/f32-qs8-vcvt/gen/f32-qs8-vcvt-wasmsimd-u16.c', q8('QS8')],
  ['src/f32-qs8-vcvt/wasmsimd.c.in', 'src/f32-qu8-vcvt/gen/f32-qu8-vcvt-wasmsimd-u16.c', q8('QU8')],
  ['src/qs8-f32-vcvt/scalar.c.in', 'src/qs8-f32-vcvt/gen/qs8-f32-vcvt-scalar-u1.c', q8('QS8')],
  ['src/qs8-f32-vcvt/scalar.c.in', 'src/qu8-f32-vcvt/gen/qu8-f32-vcvt-scalar-u1.c', q8('QU8')],
  ['src/qs8-f32-vcvt/wasmsimd.c.in', 'src/qs8-f32-vcvt/gen/qs8-f32-vcvt-wasmsimd-u16.c', q8('QS8')],
  ['src/qs8-f32-vcvt/wasmsimd.c.in', 'src/qu8-f32-vcvt/gen/qu8-f32-vcvt-wasmsimd-u16.c', q8('QU8')],
  ['src/qs8-f32-vcvt/wasmsimd-magic.c.in', 'src/qs8-f32-vcvt/gen/qs8-f32-vcvt-wasmsimd-magic-u16.c', q8('QS8')],
  ['src/qs8-f32-vcvt/wasmsimd-magic.c.in', 'src/qu8-f32-vcvt/gen/qu8-f32-vcvt-wasmsimd-magic-u16.c', q8('QU8')],
];

/** @param {string} expr @param {Record<string, unknown>} vars */
function evaluate(expr, vars) {
  return Function(...Object.keys(vars), `"use strict"; return (${expr});`)(...Object.values(vars));
}

/** @param {string} text @param {Record<string, unknown>} vars @param {string} name */
export function expand(text, vars, name) {
  const out = [];
  /** @type {{ active: boolean, taken: boolean, parent: boolean }[]} */
  const stack = [];
  const active = () => stack.every((s) => s.active);
  text.split('\n').forEach((line, i) => {
    const d = line.match(/^\s*\$(if|elif|else|endif)\b\s*(.*)$/);
    if (d) {
      const [, kind, expr] = d;
      if (kind === 'if') {
        const parent = active();
        const v = parent && Boolean(evaluate(expr, vars));
        stack.push({ active: v, taken: v, parent });
      } else {
        const top = stack.at(-1);
        if (!top) throw new Error(`${name}:${i + 1}: $${kind} without $if`);
        if (kind === 'endif') stack.pop();
        else if (kind === 'else') { top.active = top.parent && !top.taken; top.taken = true; }
        else { const v = top.parent && !top.taken && Boolean(evaluate(expr, vars)); top.active = v; top.taken ||= v; }
      }
      return;
    }
    if (active()) out.push(line.replace(/\$\{([^}]+)\}/g, (_, e) => String(evaluate(e, vars))));
  });
  if (stack.length) throw new Error(`${name}: unterminated $if`);
  return out.join('\n');
}

const check = process.argv.includes('--check');
let stale = 0;
for (const [template, output, vars] of JOBS) {
  const body = expand(readFileSync(path.join(root, template), 'utf8'), vars, template);
  const text = `// Auto-generated file. Do not edit!\n//   Template: ${template}\n//   Generator: scripts/gen-kernels.js\n${body}`;
  const file = path.join(root, output);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
  if (current === text) continue;
  if (check) {
    console.error(`gen-kernels: ${output} is out of date with ${template}; run node scripts/gen-kernels.js`);
    stale++;
  } else {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`gen-kernels: wrote ${output}`);
  }
}
process.exit(stale ? 1 : 0);
