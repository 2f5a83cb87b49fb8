// JSON.parse keeps the last of two equal keys without a word; a hostile
// header could use that to show one tensor to one reader and another to the
// next. This scan of already-parsed (so well-formed) JSON text finds every
// object key and reports the first duplicate in any object.

/**
 * @param {string} text JSON that JSON.parse accepted
 * @returns {string | null} the first key that appears twice in one object, or null
 */
export function findDuplicateKey(text) {
  /** @type {({ keys: Set<string>, expectKey: boolean } | null)[]} */
  const stack = []; // null entries are arrays
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = true;
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1));
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    }
  }
  return null;
}
