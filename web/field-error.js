// A refused entry in a form field: the message sits next to the field (a
// screen reader reaches it through aria-describedby and hears it once through
// role="alert"), and the view keeps its last valid state. Both pages use it.

/**
 * The message element of a field, created after the field's label on first use.
 * @param {HTMLInputElement} el
 */
function messageOf(el) {
  const id = `${el.id}-error`;
  let msg = /** @type {HTMLElement | null} */ (document.getElementById(id));
  if (!msg) {
    msg = document.createElement('span');
    msg.id = id;
    msg.className = 'field-error';
    msg.setAttribute('role', 'alert');
    (el.closest('label') ?? el).after(msg);
    const described = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((s) => s !== '');
    if (!described.includes(id)) el.setAttribute('aria-describedby', [...described, id].join(' '));
  }
  return msg;
}

/**
 * Marks a field invalid and says why.
 * @param {HTMLInputElement} el @param {string} message
 */
export function refuse(el, message) {
  el.setAttribute('aria-invalid', 'true');
  const msg = messageOf(el);
  msg.textContent = message;
  msg.hidden = false;
}

/**
 * Clears a field's refusal.
 * @param {HTMLInputElement} el
 */
export function accept(el) {
  el.removeAttribute('aria-invalid');
  const msg = document.getElementById(`${el.id}-error`);
  if (msg && !msg.hidden) {
    msg.textContent = '';
    msg.hidden = true;
  }
}

/**
 * What a number field holds, for a message: the number typed, or why there is none.
 * A number input's value is '' both when it is empty and when what was typed is not a number.
 * @param {HTMLInputElement} el
 */
export function describeEntry(el) {
  if (el.validity.badInput) return 'what was typed is not a number';
  if (el.value.trim() === '') return 'the field is empty';
  return el.value;
}
