// The panel's tabs answer the arrow keys as a tab list should (WAI-ARIA
// tabs pattern): Left and Right move to the neighbouring tab and show it,
// Home and End to the first and last.

/** Adds arrow-key moves to the .tab buttons of list; activate shows a tab (clicks call it too). */
export function keyboardTabs(list: HTMLElement, activate: (tab: HTMLButtonElement) => void): void {
  const tabs = () => Array.from(list.querySelectorAll<HTMLButtonElement>('.tab'));
  for (const b of tabs()) b.addEventListener('click', () => activate(b));
  list.addEventListener('keydown', (e) => {
    const all = tabs();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const b = all[(to + all.length) % all.length];
    b.focus();
    activate(b);
  });
}
