// Live refresh: call `refresh` every `ms` while the page is shown, one call at a time.

/** Start polling; the function returned stops it. */
export function poll(refresh, ms) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try {
        await refresh();
      } catch {
        // a refresh that failed shows its own error; the next one tries again
      }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
