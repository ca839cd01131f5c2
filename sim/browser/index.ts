// filemon-sim in a browser: `import { Simulator, mountTerminal } from 'filemon-sim/browser'`.
// The same API as Node's entry (start, trace, put, get, restore) on a guest
// fetched from an assets folder on any static host, a traced interactive
// shell, and a terminal to mount in a page (a function or the
// <filemon-sim-terminal> element). The playground page is built on it.
/**
 * The browser entry: the Simulator on an assets folder, and the embeddable traced terminal.
 * @module filemon-sim/browser
 */
export { Simulator, type BrowserStartOptions, type OnDemandDisk, type SiteInfo } from './simulator.js';
export { mountTerminal, defineTerminalElement, FilemonSimTerminal, type MountOptions, type MountedTerminal } from './terminal.js';
export { AssetError, fetchBytes, fetchImage, type FetchProgress } from './image.js';
export type { DiskFetches } from './disk.js';
export { LETTERS, LETTER_MEANING, LETTER_COLOUR } from './letters.js';
export { TraceError, TraceTimeoutError, type TraceOptions, type TraceResult } from '../simulator.js';
export { ShellSession, type CommandGroup, type ShellEvent } from '../guest/shell-session.js';
export { GuestPanicError } from '../errors.js';
export { Trace, type TraceEvent, type LogEntry, type ProcessInfo, type FileSets } from '../trace/index.js';
