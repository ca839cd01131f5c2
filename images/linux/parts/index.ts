// Every guest part, in the order they are built and staged.
import type { GuestPart } from '../part.js';
import { agent } from './agent.js';
import { filemonModule } from './filemon.js';
import { traceTool } from './trace.js';

export const guestParts: GuestPart[] = [agent, filemonModule, traceTool];
