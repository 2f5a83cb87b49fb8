// The few d3 pieces the page uses, bundled by scripts/build-page.js into
// web/vendor/d3.js so the browser needs no bare-specifier resolution.
export { scaleLinear } from 'd3-scale';
export { axisBottom } from 'd3-axis';
export { select } from 'd3-selection';
