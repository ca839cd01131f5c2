// The script-tag build of filemon-sim/browser (dist/browser/filemon-sim.js,
// with filemon-sim.css beside it): everything the entry exports, xterm.js
// bundled in, and <filemon-sim-terminal> registered on load.
/**
 * The script-tag build (`dist/browser/filemon-sim.js`): the browser entry, and `<filemon-sim-terminal>` defined on load.
 * @module filemon-sim/browser/script
 */
import '@xterm/xterm/css/xterm.css';
import { defineTerminalElement } from './index.js';

export * from './index.js';
defineTerminalElement();
