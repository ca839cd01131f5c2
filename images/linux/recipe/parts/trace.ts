// fms-trace: the guest tool that runs one command under /dev/filemon
// (used by `filemon-sim trace` and the Simulator).
import { join } from 'node:path';
import { buildGuestProgram, type GuestPart } from '../part.js';

export const traceTool: GuestPart = {
  name: 'trace',
  build(ctx) {
    const bin = buildGuestProgram(ctx, 'fms-trace', join(ctx.sourceDir, 'trace'), ['fms-trace.c']);
    return [{ from: bin, to: 'usr/bin/fms-trace', mode: 0o755 }];
  },
};
