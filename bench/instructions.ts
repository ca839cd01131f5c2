// Counting guest instructions across a benchmark's span (bench:filemon, bench:deterministic).
import type { Machine } from '../sim/guest/machine.js';

/**
 * Guest instructions over a span of host time. v86's counter is 32 bits and
 * wraps in seconds at full speed, so it is read every few milliseconds and
 * the unsigned differences are summed.
 */
export class InstructionMeter {
  private total = 0;
  private last: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly machine: Machine) {
    this.last = machine.instructionCounter();
    this.timer = setInterval(() => this.sample(), 5);
  }

  private sample(): void {
    const now = this.machine.instructionCounter();
    this.total += (now - this.last) >>> 0;
    this.last = now;
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.total;
  }
}
