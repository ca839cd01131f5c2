// The guest agent: static i386 C, serving the harness on /dev/hvc0.
import { join } from 'node:path';
import { buildGuestProgram, type GuestPart } from '../part.js';

export const agent: GuestPart = {
  name: 'agent',
  build(ctx) {
    const bin = buildGuestProgram(ctx, 'fms-agent', join(ctx.sourceDir, 'agent'), ['agent.c', 'files.c']);
    return [{ from: bin, to: 'sbin/fms-agent', mode: 0o755 }];
  },
};
