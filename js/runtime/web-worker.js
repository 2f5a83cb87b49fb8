// The pool's Web Worker (js/runtime/worker.js) in a browser, created so that
// bundlers ship it whole and a page may import the package from another origin.

/**
 * A module worker running worker.js. Without a workerUrl it is written as
 * new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
 * the literal form from which webpack 5 and Vite build a worker chunk (given
 * the URL alone they only copy the file; worker.js imports nothing, so a copy
 * runs too). A browser refuses a worker script from another origin
 * (the package imported from a CDN) with a SecurityError; a module worker
 * from a blob, which is same-origin, may import it across origins as the
 * page did.
 * @param {string | URL | null} workerUrl where worker.js is served, or null: next to this file
 * @returns {Worker}
 */
export function createWebWorker(workerUrl) {
  try {
    return workerUrl === null
      ? new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })
      : new Worker(workerUrl, { type: 'module' });
  } catch (err) {
    if (/** @type {Error} */ (err)?.name !== 'SecurityError') throw err;
    const href = workerUrl === null ? new URL('./worker.js', import.meta.url).href : new URL(workerUrl, location.href).href;
    const wrapper = new Blob([`import ${JSON.stringify(href)};\n`], { type: 'text/javascript' });
    const blobUrl = URL.createObjectURL(wrapper);
    const worker = new Worker(blobUrl, { type: 'module' });
    // Its first message (worker.js says it is ready) or error means the blob was read: let it go.
    const revoke = () => URL.revokeObjectURL(blobUrl);
    worker.addEventListener('message', revoke, { once: true });
    worker.addEventListener('error', revoke, { once: true });
    return worker;
  }
}
