// The page's address follows what is on screen, so that it (and Copy link)
// can be shared: the lesson step shown while the lesson is, else the last
// command line, typed or clicked (as #example= when it is an example's).
// Updated with replaceState: no history entry, no hashchange.
import type { ShellSession } from '../sim/guest/shell-session.js';
import { EXAMPLES } from './examples.js';
import { linkFor, type PageLink } from './links.js';

export class PageAddress {
  private current: PageLink = {};
  private lastCommand: PageLink = {};
  private lessonStep: number | undefined;

  constructor(session: ShellSession) {
    session.on((e) => {
      if (e.type !== 'command' || e.command.index === 0 || e.command.completion || !e.command.line) return;
      const ex = EXAMPLES.find((x) => x.command === e.command.line);
      this.lastCommand = ex ? { example: ex.id } : { cmd: e.command.line };
      if (this.lessonStep === undefined) this.set(this.lastCommand);
    });
  }

  /** The address of what is on screen. */
  get href(): string {
    return linkFor(location.href, this.current);
  }

  /** The lesson is shown, at step n. */
  lesson(n: number): void {
    this.lessonStep = n;
    this.set({ lesson: 'meta', step: n });
  }

  /** A trace view is shown: the address is the last command line's. */
  trace(): void {
    this.lessonStep = undefined;
    this.set(this.lastCommand);
  }

  /** What the page is about to run (an example, a linked command), ahead of its command line. */
  set(link: PageLink): void {
    this.current = link;
    const href = linkFor(location.href, link);
    if (href !== location.href) history.replaceState(null, '', href);
  }
}
