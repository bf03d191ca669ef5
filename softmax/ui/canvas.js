// The drawing canvas' helper in the browser (see softmax/ui/canvas.py); runs once per page.
// 1. On a narrow screen, zoom each canvas to fill its column: it keeps its own pixels (280 a
//    side), so the model gets the same 28×28 and the pen the same width in model pixels.
// 2. Clear empties its canvas here and now, with the canvas' own reset, which then sends the
//    empty drawing like any stroke. The canvas never remounts, so it never stops listening.
//    When the reset cannot be found, the click goes on to Streamlit: the server clears it.
// 3. The canvas' toolbar (undo, redo, reset) waits, invisible, over the canvas' top right until
//    the pointer has hovered 0.2 s (and on a touch screen, always): a stroke begun there was
//    lost. It stays above the canvas instead, and only its buttons take clicks.
(() => {
  if (window.softmaxCanvas) return;
  window.softmaxCanvas = true;
  const NARROW = matchMedia("(max-width: 640px)"); // where Streamlit stacks its columns
  const HOST = "[data-testid=stBidiComponentIsolated]";
  const RESET = 'button[aria-label="Reset canvas & history"]';
  const TOOLBAR = ".dc-root > .dc-toolbar { top: -2.65rem; pointer-events: none; } " +
    ".dc-toolbar-card { pointer-events: auto; }";

  const keyed = (element, prefix) =>
    [...element.classList].find((name) => name.startsWith(`st-key-${prefix}-`));

  const watched = new WeakSet(); // hosts whose size we follow: a canvas renders after mounting
  const resized = new ResizeObserver(() => schedule());
  const fit = () => {
    for (const box of document.querySelectorAll("[class*='st-key-canvas-']")) {
      const host = box.querySelector(HOST);
      if (host && !watched.has(host)) {
        watched.add(host);
        resized.observe(host);
      }
      const root = host?.shadowRoot;
      if (root && !root.querySelector("style[data-softmax]")) {
        const style = document.createElement("style");
        style.dataset.softmax = "";
        style.textContent = TOOLBAR;
        root.append(style);
      }
      const side = root?.querySelector("canvas")?.width; // its own pixels
      if (!side || !keyed(box, "canvas")) continue;
      const zoom = NARROW.matches ? String(box.clientWidth / side) : "";
      if (host.style.zoom !== zoom) host.style.zoom = zoom;
    }
  };
  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fit();
    });
  };
  new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  addEventListener("resize", schedule);
  schedule();

  document.addEventListener(
    "click",
    (event) => {
      const button = event.target.closest("[class*='st-key-clear-'] button");
      const name = button && keyed(button.closest("[class*='st-key-clear-']"), "clear");
      if (!name) return;
      const canvas = name.replace("st-key-clear-", "st-key-canvas-");
      const reset = document.querySelector(`.${CSS.escape(canvas)} ${HOST}`)?.shadowRoot
        ?.querySelector(RESET);
      if (!reset) return;
      event.stopPropagation(); // Streamlit never sees this click: no rerun, no round trip
      event.preventDefault();
      reset.click();
    },
    true,
  );
})();
