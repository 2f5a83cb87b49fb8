// Types of the d3 pieces web/vendor-src/d3.js bundles, as the page calls them (the
// d3 packages ship no types). scripts/build-page.js puts this file next to the
// bundle, so TypeScript checks the page's modules against it instead of reading
// the minified bundle (tests/types/tsconfig.web-lab.json).

/** A continuous linear scale from domain to range (d3-scale's scaleLinear). */
export interface ScaleLinear {
  (value: number): number;
  domain(domain: Iterable<number>): this;
  range(range: Iterable<number>): this;
  invert(value: number): number;
  ticks(count?: number): number[];
}
export function scaleLinear(): ScaleLinear;

/** A d3 selection of one element (d3-selection), enough to call an axis on it. */
export interface Selection<E extends Element = Element> {
  call(fn: (selection: Selection<E>) => void): this;
}
export function select<E extends Element>(element: E): Selection<E>;

/** An axis generator (d3-axis). */
export interface Axis {
  (selection: Selection<SVGGElement> | Selection<SVGSVGElement>): void;
  ticks(count: number): this;
  tickValues(values: Iterable<number> | null): this;
  tickFormat(format: ((value: number | { valueOf(): number }, index: number) => string) | null): this;
}
export function axisBottom(scale: ScaleLinear): Axis;
