// Every guest part, in the order they are built and staged.
import type { GuestPart } from '../part.js';
import { agent } from './agent.js';
import { bmake } from './bmake.js';
import { filemonModule, filemonTests } from './filemon.js';
import { shell } from './shell.js';
import { tcc } from './tcc.js';
import { traceTool } from './trace.js';

export const guestParts: GuestPart[] = [agent, filemonModule, filemonTests, traceTool, tcc, bmake, shell];
