// One keystroke into the Library's search, timed inside the page: from the input event to the
// DOM updated, to the next animation frame, to that frame painted. Shared, as text, by the
// Chromium measurement (library-perf.mjs) and the real WebKitGTK window's
// (tests/e2e/library_10k.py), so the two figures measure the same thing.
// With `text` null: the same timing on an input nobody listens to, the measurement's own floor.
// Evaluated in the page, then called: `keystrokeTiming("marg")` resolves with the figures.
globalThis.keystrokeTiming = (text) =>
  new Promise((done) => {
    const input = text === null ? document.createElement("input") : document.querySelector("#library-search");
    const task = (fn) => {
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = fn;
      port2.postMessage(null);
    };
    input.value = text ?? "x";
    const t0 = performance.now();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    // A task runs after every microtask, so after Svelte's flush: the DOM is updated.
    task(() => {
      const dom = performance.now() - t0;
      requestAnimationFrame(() => {
        const frame = performance.now() - t0;
        task(() => {
          done({
            dom,
            frame,
            painted: performance.now() - t0,
            shown: document.querySelector("#library-count")?.textContent ?? "",
            cards: document.querySelectorAll("#library .person").length,
          });
        });
      });
    });
  });
