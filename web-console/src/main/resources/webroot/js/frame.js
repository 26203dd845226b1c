// Updates at the pace of the screen: whatever arrives between two frames is drawn once.

/**
 * Calls `fn` once, at the next animation frame, or after 100 ms where frames do not come (a tab
 * in the background), whichever is first.
 */
export function nextFrame(fn) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    fn();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
  setTimeout(once, 100);
}
