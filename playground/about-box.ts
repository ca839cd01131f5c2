// The examples' explanation box keeps one height, that of the longest text
// it may show at the current width: a box that grew or shrank with each
// text would resize the terminal above it (SIGWINCH to the shell, output
// scrolled away), and a fixed one cut long texts off.

/** Sizes box to the tallest of texts at its width, again whenever its width changes. */
export function reserveHeight(box: HTMLElement, texts: readonly string[]): void {
  let width = -1;
  const measure = () => {
    const w = box.getBoundingClientRect().width;
    if (!w || Math.abs(w - width) < 0.5) return;
    width = w;
    // A hidden twin with the box's class (same font, padding, border) and width.
    const probe = box.cloneNode(false) as HTMLElement;
    probe.removeAttribute('id');
    probe.setAttribute('aria-hidden', 'true');
    probe.style.cssText = `position:absolute;visibility:hidden;left:-10000px;top:0;height:auto;min-height:0;width:${w}px`;
    box.parentElement!.append(probe);
    let tallest = 0;
    for (const t of texts) {
      probe.textContent = t;
      tallest = Math.max(tallest, probe.getBoundingClientRect().height);
    }
    probe.remove();
    box.style.height = `${Math.ceil(tallest)}px`;
  };
  new ResizeObserver(measure).observe(box.parentElement!);
  measure();
}
