// A port of v86's virtio console, as a byte pipe in both directions.
//
// v86 drops host->guest bytes when the guest has no receive buffer posted
// (see ../shared/v86-notes.md), so writes are queued and sent in chunks of
// at most 4 KiB, each only when the port's receive queue has a request.
// A deterministic guest (sim/guest/deterministic.ts) takes the chunks itself, at
// points fixed by its execution: the port then only queues them.
import type { V86 } from 'v86';

const CHUNK = 4096;

interface VirtQueue {
  has_request(): boolean;
}

/** The parts of v86's internals this needs (not in its public typings). */
interface V86Internals {
  bus: {
    send(name: string, data: Uint8Array): void;
    register(name: string, fn: (data: Uint8Array) => void, ctx: unknown): void;
    unregister(name: string, fn: (data: Uint8Array) => void): void;
  };
  v86: { cpu: { devices: { virtio_console?: { virtio: { queues: VirtQueue[] } } } } };
}

/** A port whose bytes the deterministic clock delivers (deliver()); onQueued wakes it. */
export interface DeferredDelivery {
  onQueued(): void;
}

export class ConsolePort {
  private readonly queue: Uint8Array[] = [];
  private pumping = false;
  private closed = false;
  private readonly listener: (data: Uint8Array) => void;

  constructor(
    private readonly emulator: V86,
    private readonly port: number,
    onData: (data: Uint8Array) => void,
    private readonly deferred?: DeferredDelivery,
  ) {
    this.listener = (data) => onData(new Uint8Array(data));
    this.internals.bus.register(`virtio-console${port}-output-bytes`, this.listener, this);
  }

  private get internals(): V86Internals {
    return this.emulator as unknown as V86Internals;
  }

  /** Port 0 receives on queue 0, port n on queue 2n + 2 (the virtio multiport layout). */
  private receiveQueue(): VirtQueue | undefined {
    const dev = this.internals.v86.cpu.devices.virtio_console;
    return dev?.virtio.queues[this.port === 0 ? 0 : this.port * 2 + 2];
  }

  write(data: Uint8Array): void {
    if (this.closed) throw new Error(`virtio console port ${this.port} is closed`);
    for (let i = 0; i < data.length; i += CHUNK) this.queue.push(data.subarray(i, i + CHUNK));
    if (this.deferred) this.deferred.onQueued();
    else this.pump();
  }

  /** Bytes are waiting for the guest. */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  /** Sends the queued chunks the guest has room for; true when any was sent. */
  deliver(): boolean {
    const q = this.receiveQueue();
    let sent = false;
    while (!this.closed && this.queue.length && q?.has_request()) {
      this.internals.bus.send(`virtio-console${this.port}-input-bytes`, this.queue.shift()!);
      sent = true;
    }
    return sent;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const step = () => {
      if (this.closed) return;
      this.deliver();
      if (this.queue.length) setTimeout(step, 1);
      else this.pumping = false;
    };
    step();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.internals.bus.unregister(`virtio-console${this.port}-output-bytes`, this.listener);
  }
}
