// The measurement of bench/probes/gemm-builds.js, shared by its Node and
// Chromium modes (the page imports this file as it is): two builds'
// qdq_qs8_gemm on the same operands, alternated batch by batch, one thread,
// over several heap layouts. Each layout instantiates both modules afresh and
// mallocs a pad of its own size before the operands, since where the buffers
// land alone moved a call by up to 5% on the machines measured: a change is
// what holds across layouts. Imports nothing, so that it runs wherever the
// loader and RawWasm are handed to it.

/** @param {number[]} v */
const median = (v) => {
  const s = [...v].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/**
 * @param {{ wasm: [Uint8Array, Uint8Array], m: number, k: number, n: number, kind: number,
 *   instantiateModule: (module: WebAssembly.Module) => any, RawWasm: any, log: (line: string) => void }} o
 *   kind: 0 the int32 output (matmulInteger), 2 the float output (the dynamic Linear's output stage,
 *   multipliers 0.001); u8 A (zero point 128) times s8 B
 * @returns {{ ratios: number[], median: number }} A's time over B's per layout (above 1: B is faster)
 */
export function compareBuilds({ wasm, m, k, n, kind, instantiateModule, RawWasm, log }) {
  /** @type {number[]} */
  const ratios = [];
  for (const pad of [16, 1040, 2064, 3088, 4112, 5136, 6160, 7184]) {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24);
    const a8 = Uint8Array.from({ length: m * k }, rand), b8 = Uint8Array.from({ length: k * n }, rand);
    const calls = wasm.map((bytes) => {
      const rt = new RawWasm(instantiateModule(new WebAssembly.Module(bytes)));
      const ex = rt.exports;
      rt.alloc(pad);
      const put = (/** @type {Uint8Array} */ v) => {
        const p = rt.alloc(v.byteLength + 64);
        rt.refresh();
        rt.u8.set(v, p);
        return p;
      };
      const b = put(b8), a = put(a8);
      // The weights' zero points: n int32 zeros (qdq_qs8_gemm_pack reads them; it takes no NULL).
      const zb = put(new Uint8Array(4 * n));
      const packed = rt.alloc(ex.qdq_qs8_gemm_packed_size(n, k) + 64);
      if (ex.qdq_qs8_gemm_pack(n, k, b, 0, zb, 0, 0, packed) !== 0) throw new Error('qdq_qs8_gemm_pack failed');
      const y = rt.alloc(4 * m * n + 64);
      const mult = put(new Uint8Array(new Float32Array(n).fill(0.001).buffer));
      const call = () => ex.qdq_qs8_gemm(m, n, k, a, 1, 128, packed, y, kind, kind ? mult : 0, 0, 0, 0, 0);
      return { call, result: () => (rt.refresh(), rt.u8.slice(y, y + 4 * m * n)) };
    });
    for (const c of calls) for (let j = 0; j < 20; j++) c.call();
    const [ya, yb] = calls.map((c) => c.result());
    if (ya.length !== yb.length || ya.some((v, i) => v !== yb[i])) throw new Error('A and B give different bytes');
    /** @type {number[][]} */
    const t = [[], []];
    const reps = Math.max(5, Math.round(1.5e9 / (m * k * n)));
    for (let r = 0; r < 7; r++) {
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        for (let j = 0; j < reps; j++) calls[i].call();
        t[i].push((performance.now() - t0) / reps * 1e3);
      }
    }
    const ratio = median(t[0].map((v, i) => v / t[1][i]));
    ratios.push(ratio);
    log(`pad ${String(pad).padStart(4)}: A ${median(t[0]).toFixed(0)}  B ${median(t[1]).toFixed(0)}  A/B ${ratio.toFixed(3)}`);
  }
  return { ratios, median: median(ratios) };
}
