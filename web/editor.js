// The tensor editor: one labelled number input per element for tensors
// small enough to edit by hand; bigger ones are edited by pasting.

import { float32Literal } from './format.js';

/** Largest tensor shown as inputs (16 x 16). */
export const EDIT_LIMIT = 256;

/**
 * Rebuilds the editable grid for the tensor.
 * @param {HTMLElement} container
 * @param {import('./presets.js').Tensor2D} t
 * @param {(values: Float32Array) => void} onEdit called with the new values after a cell changes
 */
export function renderEditor(container, t, onEdit) {
  container.replaceChildren();
  if (t.rows * t.cols > EDIT_LIMIT) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = `${t.rows} × ${t.cols} = ${t.rows * t.cols} values: too many to edit one by one. Paste or load numbers below.`;
    container.append(p);
    return;
  }
  const table = document.createElement('table');
  table.className = 'editor';
  for (let r = 0; r < t.rows; r++) {
    const tr = table.insertRow();
    for (let c = 0; c < t.cols; c++) {
      const input = document.createElement('input');
      input.type = 'number';
      input.step = 'any';
      // Five digits fit the cell; the tensor keeps every bit of the value, and so does the tooltip.
      const v = t.values[r * t.cols + c];
      input.value = String(Number(v.toPrecision(5)));
      input.title = float32Literal(v);
      input.setAttribute('aria-label', `Value at row ${r}, column ${c}`);
      input.dataset.index = String(r * t.cols + c);
      tr.insertCell().append(input);
    }
  }
  // One message under the grid for a refused cell: a message inside a cell would reflow the grid.
  const msg = document.createElement('p');
  msg.id = 'cells-error';
  msg.className = 'field-error';
  msg.setAttribute('role', 'alert');
  msg.hidden = true;
  // 'change' rather than 'input': a half-typed "-" or "1e" is not a number yet.
  table.addEventListener('change', (ev) => {
    const input = /** @type {HTMLInputElement} */ (ev.target);
    const v = Number(input.value);
    const i = Number(input.dataset.index);
    // A float32 tensor: 1e39 would become Infinity.
    if (input.validity.badInput || input.value.trim() === '' || !Number.isFinite(Math.fround(v))) {
      const entry = input.validity.badInput ? 'what was typed is not a number' : input.value.trim() === '' ? 'the cell is empty' : `${input.value} is beyond float32's range (±3.4e38)`;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', msg.id);
      msg.textContent = `Row ${Math.floor(i / t.cols)}, column ${i % t.cols}: ${entry}. The tensor keeps ${float32Literal(t.values[i])} there.`;
      msg.hidden = false;
      return;
    }
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
    msg.hidden = true;
    const values = t.values.slice();
    values[i] = v;
    onEdit(values);
  });
  container.append(table, msg);
}
