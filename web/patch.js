// Rebuilding a part of the page with the same content still costs the
// browser style and layout for all of it. During a drag of the range handles
// most of each part comes out the same (the per-channel rows of the
// derivation, the label column of the comparison table), and rebuilding them
// took 10 ms of layout in a 40 ms frame at 128 x 128. These write only what
// differs, the way a DOM morphing library does, for the page's own markup
// (no form controls, whose live state attributes do not show).

/**
 * Makes parent's children equal to nodes (which it may move into parent):
 * equal children are kept, an element with the same tag gets the new
 * attributes and is patched in turn, a text node gets the new text, and
 * anything else is replaced.
 * @param {Element} parent @param {Node[]} nodes
 */
export function patchChildren(parent, nodes) {
  const old = Array.from(parent.childNodes);
  for (let i = 0; i < nodes.length; i++) {
    if (i >= old.length) parent.append(nodes[i]);
    else morph(old[i], nodes[i]);
  }
  for (let i = nodes.length; i < old.length; i++) old[i].remove();
}

/** @param {Node} old @param {Node} node */
function morph(old, node) {
  if (old.isEqualNode(node)) return;
  if (old instanceof Text && node instanceof Text) {
    old.data = node.data;
  } else if (old instanceof Element && node instanceof Element && old.namespaceURI === node.namespaceURI && old.tagName === node.tagName) {
    for (const { name } of Array.from(old.attributes)) if (!node.hasAttribute(name)) old.removeAttribute(name);
    for (const { name, value } of Array.from(node.attributes)) if (old.getAttribute(name) !== value) old.setAttribute(name, value);
    patchChildren(old, Array.from(node.childNodes));
  } else {
    old.replaceWith(node);
  }
}

/** Sets el's text unless it is already that. @param {Node} el @param {string} text */
export function setTextIfChanged(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
