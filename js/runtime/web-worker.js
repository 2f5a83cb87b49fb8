// The pool's Web Worker (js/runtime/worker.js) in a browser, created so that
// bundlers ship it whole and a page may import the package from another origin.

/**
 * A module worker running worker.js. Without a workerUrl it is written as
 * new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }):
 * from that literal form webpack 5 and Vite build the worker with its imports
 * (pool-control.js, abi.js); from the URL alone they copied worker.js without
 * them, its import failed and every cross-origin isolated page ran on one
 * thread. A browser refuses a worker script from another origin (the package
 * imported from a CDN) with a SecurityError; a module worker from a blob,
 * which is same-origin, may import it across origins as the page did.
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
    return new Worker(URL.createObjectURL(wrapper), { type: 'module' });
  }
}
