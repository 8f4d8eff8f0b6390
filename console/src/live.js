// Live refresh: call `refresh` while the page is shown, one call at a time, every `ms`
// or, when a call is slow (a big execution), four times its duration, so that an open
// page never keeps the API busy more than a fifth of the time.

/** Start polling; the function returned stops it. */
export function poll(refresh, ms) {
  let stopped = false;
  let timer = null;
  let wait = ms;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      const began = performance.now();
      try {
        await refresh();
      } catch {
        // a refresh that failed shows its own error; the next one tries again
      }
      wait = Math.max(ms, 4 * (performance.now() - began));
    }
    if (!stopped) timer = setTimeout(tick, wait);
  };
  timer = setTimeout(tick, ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
