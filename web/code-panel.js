// The code panel: the qdq-wasm call that reproduces the current view, and
// the PyTorch call that computes the same numbers.

import { codeRange } from './compute.js';
import { float32Literal, int } from './format.js';

/** Tensors up to this size are written into the snippet; bigger ones are loaded from a .npy. */
const INLINE_LIMIT = 64;

/**
 * @param {Float32Array} x @param {number} rows @param {number} cols
 * @param {'js' | 'py'} lang
 */
function tensorLiteral(x, rows, cols, lang) {
  if (x.length > INLINE_LIMIT) return null;
  const row = (r) => Array.from(x.subarray(r * cols, (r + 1) * cols), (v) => float32Literal(v) + (lang === 'py' && Number.isInteger(v) ? '.' : '')).join(', ');
  if (lang === 'js') return Array.from({ length: rows }, (_, r) => row(r)).join(',\n  ');
  return Array.from({ length: rows }, (_, r) => `[${row(r)}]`).join(',\n    ');
}

/**
 * @param {Float32Array} x
 * @param {import('./state.js').PageState} s
 * @param {import('./compute.js').TensorResult} t
 * @param {import('./compute.js').ChannelResult} c
 * @param {import('./compute.js').GroupResult} g
 * @returns {{ js: string, py: string }}
 */
export function snippets(x, s, t, c, g) {
  const shape = `[${s.rows}, ${s.cols}]`;
  const tq = `per_tensor_${s.scheme}`, cq = `per_channel_${s.scheme}`;
  const rr = s.reduceRange ? ', reduceRange: true' : '';
  // n bits: the codes' range as quantMin/quantMax (PyTorch's quant_min/quant_max); 8 bits: the dtype's own.
  const [qlo, qhi] = codeRange(s.dtype, s.bits);
  const nb = s.bits < 8 ? `, quantMin: ${qlo}, quantMax: ${qhi}` : '';
  const common = `dtype: '${s.dtype}'${rr}${nb}, compat: '${s.compat}'`;
  const gshape = `[${g.count}, ${g.size}]`;
  const jsValues = tensorLiteral(x, s.rows, s.cols, 'js');
  const rawT = t.raw !== null, rawC = c.raw !== null;
  const js = [
    '', // the import line, filled in below from the names the snippet uses
    '',
    'await init();',
    jsValues ? `const x = new Float32Array([\n  ${jsValues},\n]); // shape ${shape}` : `const x = /* your ${x.length} float32 values (Download .npy below) */; // shape ${shape}`,
  ];
  if (rawT && t.raw) {
    js.push(`// Raw min/max [${float32Literal(t.lo)}, ${float32Literal(t.hi)}]: the formula's zero point ${int(t.raw.zeroPoint)} does not fit ${s.dtype},`,
      `// so pass it clamped; the library always widens the range to include 0 on its own.`,
      `const perTensor = quantizePerTensor(x, { scale: ${t.scale}, zeroPoint: ${t.zeroPoint}, dtype: '${s.dtype}'${nb}, compat: '${s.compat}', shape: ${shape} });`,
      'const tensorError = errorStats(x, dequantize(perTensor));');
  } else if (t.handles) {
    js.push(`const obs = new MinMaxObserver({ dtype: '${s.dtype}', qscheme: '${tq}'${rr}${nb} });`,
      `obs.observe(Float32Array.of(${float32Literal(t.lo)}, ${float32Literal(t.hi)})); // the range set by the handles`,
      'const { scale, zeroPoint } = obs.calculateQParams();',
      `const perTensor = quantizePerTensor(x, { scale, zeroPoint, dtype: '${s.dtype}'${nb}, compat: '${s.compat}', shape: ${shape} });`,
      'const tensorError = errorStats(x, dequantize(perTensor));');
  } else if (s.bits < 8) {
    // quantize() clamps to the dtype, as torch.quantize_per_tensor does; n-bit codes need the clamp to quantMin/quantMax.
    js.push(`const obs = new MinMaxObserver({ dtype: '${s.dtype}', qscheme: '${tq}'${rr}${nb} });`,
      'obs.observe(x);',
      `const perTensor = quantizePerTensor(x, { ...obs.calculateQParams(), dtype: '${s.dtype}'${nb}, compat: '${s.compat}', shape: ${shape} });`,
      'const tensorError = errorStats(x, dequantize(perTensor));');
  } else {
    js.push(`const perTensor = quantize(x, { shape: ${shape}, qscheme: '${tq}', ${common} });`,
      '// perTensor.scale, .zeroPoint, .data, .error.{mse, maxAbsError, sqnr}');
  }
  if (rawC && c.raw) {
    js.push(`const perChannel = quantizePerChannel(x, { shape: ${shape}, axis: ${s.axis}, dtype: '${s.dtype}'${nb}, compat: '${s.compat}',`,
      `  scales: [${Array.from(c.scales).join(', ')}], zeroPoints: [${Array.from(c.zeroPoints).join(', ')}] }); // raw min/max, zero points clamped`);
  } else if (s.bits < 8) {
    js.push(`const cobs = new PerChannelMinMaxObserver({ dtype: '${s.dtype}', qscheme: '${cq}', axis: ${s.axis}${rr}${nb} });`,
      `cobs.observe(x, ${shape});`,
      `const perChannel = quantizePerChannel(x, { ...cobs.calculateQParams(), shape: ${shape}, axis: ${s.axis}, dtype: '${s.dtype}'${nb}, compat: '${s.compat}' });`);
  } else {
    js.push(`const perChannel = quantize(x, { shape: ${shape}, axis: ${s.axis}, qscheme: '${cq}', ${common} });`);
  }
  // Per group: each group of g values along a channel is one row, quantized per channel (per row).
  js.push(s.axis === 0 ? `// Groups of ${g.size} along each row: x as ${gshape}, one group per row (perGroup.data is in x's order).`
    : `// Groups of ${g.size} down each column: the columns one after another, as ${gshape} (perGroup.data is column by column).`,
  s.axis === 0 ? 'const xg = x;' : `const xg = Float32Array.from(x, (_, j) => x[(j % ${s.rows}) * ${s.cols} + Math.floor(j / ${s.rows})]);`);
  if (g.raw) {
    js.push(`const perGroup = quantizePerChannel(xg, { shape: ${gshape}, axis: 0, dtype: '${s.dtype}'${nb}, compat: '${s.compat}',`,
      `  scales: [${Array.from(g.scales).join(', ')}], zeroPoints: [${Array.from(g.zeroPoints).join(', ')}] }); // raw min/max, zero points clamped`);
  } else if (s.bits < 8) {
    js.push(`const gobs = new PerChannelMinMaxObserver({ dtype: '${s.dtype}', qscheme: '${cq}', axis: 0${rr}${nb} });`,
      `gobs.observe(xg, ${gshape});`,
      `const perGroup = quantizePerChannel(xg, { ...gobs.calculateQParams(), shape: ${gshape}, axis: 0, dtype: '${s.dtype}'${nb}, compat: '${s.compat}' });`);
  } else {
    js.push(`const perGroup = quantize(xg, { shape: ${gshape}, axis: 0, qscheme: '${cq}', ${common} });`);
  }

  const names = ['init', 'quantize', 'quantizePerTensor', 'quantizePerChannel', 'MinMaxObserver', 'PerChannelMinMaxObserver', 'dequantize', 'errorStats']
    .filter((n) => n === 'init' || js.slice(1).some((line) => line.includes(` ${n}(`) || line.includes(`(${n}(`)));
  js[0] = `import { ${names.join(', ')} } from 'qdq-wasm';`;

  const tdt = s.dtype === 'int8' ? 'torch.qint8' : 'torch.quint8';
  const pyValues = tensorLiteral(x, s.rows, s.cols, 'py');
  const red = (s.reduceRange ? ', reduce_range=True' : '') + (s.bits < 8 ? `, quant_min=${qlo}, quant_max=${qhi}` : '');
  // quantize_per_* clamps to the dtype; n-bit codes clamp to [quant_min, quant_max] (as torch.fake_quantize_* does).
  const codes = (/** @type {string} */ v) => (s.bits < 8 ? `${v}.int_repr().clamp(${qlo}, ${qhi})` : `${v}.int_repr()`);
  const py = [
    'import torch',
    ...(pyValues ? [] : ['import numpy as np']),
    'from torch.ao.quantization import MinMaxObserver, PerChannelMinMaxObserver',
    '',
    pyValues ? `x = torch.tensor([\n    ${pyValues},\n])` : `x = torch.from_numpy(np.load('tensor.npy')).reshape(${s.rows}, ${s.cols})`,
  ];
  if (rawT) {
    py.push(`# raw min/max: zero point clamped from ${int(t.raw?.zeroPoint ?? 0)}; observers always include 0`,
      `per_tensor = torch.quantize_per_tensor(x, ${t.scale}, ${t.zeroPoint}, ${tdt})`);
  } else {
    py.push(`obs = MinMaxObserver(dtype=${tdt}, qscheme=torch.${tq}${red})`,
      t.handles ? `obs(torch.tensor([${float32Literal(t.lo)}, ${float32Literal(t.hi)}]))  # the range set by the handles` : 'obs(x)',
      'scale, zero_point = obs.calculate_qparams()',
      `per_tensor = torch.quantize_per_tensor(x, scale.item(), int(zero_point), ${tdt})`);
  }
  if (rawC) {
    py.push(`per_channel = torch.quantize_per_channel(x, torch.tensor([${Array.from(c.scales).join(', ')}]),`,
      `    torch.tensor([${Array.from(c.zeroPoints).join(', ')}]), ${s.axis}, ${tdt})  # raw min/max, zero points clamped`);
  } else {
    py.push(`cobs = PerChannelMinMaxObserver(ch_axis=${s.axis}, dtype=${tdt}, qscheme=torch.${cq}${red})`,
      'cobs(x)',
      'scales, zero_points = cobs.calculate_qparams()',
      `per_channel = torch.quantize_per_channel(x, scales, zero_points, ${s.axis}, ${tdt})`);
  }
  py.push(`# per group: groups of ${g.size} ${s.axis === 0 ? 'along each row' : 'down each column'}, one group per row, per channel (ch_axis=0)`,
    s.axis === 0 ? `xg = x.reshape(-1, ${g.size})` : `xg = x.t().reshape(-1, ${g.size})`);
  if (g.raw) {
    py.push(`per_group = torch.quantize_per_channel(xg, torch.tensor([${Array.from(g.scales).join(', ')}]),`,
      `    torch.tensor([${Array.from(g.zeroPoints).join(', ')}]), 0, ${tdt})  # raw min/max, zero points clamped`);
  } else {
    py.push(`gobs = PerChannelMinMaxObserver(ch_axis=0, dtype=${tdt}, qscheme=torch.${cq}${red})`,
      'gobs(xg)',
      'group_scales, group_zero_points = gobs.calculate_qparams()',
      `per_group = torch.quantize_per_channel(xg, group_scales, group_zero_points, 0, ${tdt})`);
  }
  py.push(`q_tensor, q_channel, q_group = ${codes('per_tensor')}, ${codes('per_channel')}, ${codes('per_group')}`,
    'print(q_tensor, q_channel, q_group, sep="\\n")');
  if (s.compat === 'onnx') {
    py.push('', '# ONNX rounding: QuantizeLinear computes round(x / scale); PyTorch uses x * (1 / scale).',
      '# The two differ only where x / scale lands within a float32 ulp of a .5 tie.');
  }
  return { js: js.join('\n'), py: py.join('\n') };
}

/**
 * A float32 NumPy .npy file of x with the given shape, for tensors too big to inline.
 * @param {Float32Array} x @param {number[]} shape
 * @returns {Blob}
 */
export function npyBlob(x, shape) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Pad so the data starts on a 64-byte boundary, as numpy writes it.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  return new Blob([head, x.slice().buffer], { type: 'application/octet-stream' });
}
