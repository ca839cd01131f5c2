// The parallel build the deterministic-mode tests trace.
import { bmakeCommand, LESSON_PROJECT, prepareCommand, settleCommand } from '../../sim/lessons/meta.js';

/** The meta-mode demo built from clean with bmake -j4; its .meta files (the jobs' own filemon records) on stdout. */
export const PARALLEL_BUILD = `${prepareCommand()} && ${settleCommand()} && cd ${LESSON_PROJECT} && ${bmakeCommand(4)} && cat obj/*.meta`;
