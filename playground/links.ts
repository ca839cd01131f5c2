// Links into the page: the address's fragment names an example
// (#example=fork-tree), a lesson step (#lesson=meta&step=3) or a command to
// type (#cmd=ls%20-l); the page runs it once the guest is ready.
import { META_STEPS } from '../sim/lessons/meta.js';

export interface PageLink {
  example?: string;
  lesson?: 'meta';
  /** Lesson step, from 1. */
  step?: number;
  cmd?: string;
  /** Why the fragment was not understood. */
  error?: string;
}

/** Reads a fragment (with or without its '#'). */
export function readLink(hash: string): PageLink {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const link: PageLink = {};
  const example = q.get('example');
  const lesson = q.get('lesson');
  const cmd = q.get('cmd');
  if (example) link.example = example;
  else if (lesson !== null) {
    if (lesson !== 'meta') return { error: `the link names a lesson "${lesson}"; the only lesson is "meta"` };
    link.lesson = 'meta';
    const step = Number(q.get('step') ?? '1');
    if (!Number.isInteger(step) || step < 1 || step > META_STEPS.length) return { error: `the link names lesson step ${q.get('step')}; the steps are 1 to ${META_STEPS.length}` };
    link.step = step;
  } else if (cmd) link.cmd = cmd;
  return link;
}

/** href with its fragment replaced by link's (no fragment for an empty link). */
export function linkFor(href: string, link: PageLink): string {
  const u = new URL(href);
  const q = new URLSearchParams();
  if (link.example) q.set('example', link.example);
  else if (link.lesson) {
    q.set('lesson', link.lesson);
    q.set('step', String(link.step ?? 1));
  } else if (link.cmd) q.set('cmd', link.cmd);
  u.hash = q.toString().replace(/\+/g, '%20');
  return u.href;
}
