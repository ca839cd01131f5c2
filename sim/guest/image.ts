// The guest image as the harness sees it: four files and their manifest.
// Shared by the image build (which writes the manifest) and both adapters.

interface ManifestPackage {
  name: string;
  arch: string;
  version: string;
  /** sha256 of the .deb used. */
  sha256: string;
}

/** A Debian source package a guest program was built from (apt-get source). */
export interface ManifestSource {
  name: string;
  version: string;
  /** sha256 of the .dsc used. */
  sha256: string;
}

export interface ManifestOutput {
  file: string;
  sha256: string;
  bytes: number;
}

export interface ImageManifest {
  format: 1;
  kernelRelease: string;
  packages: ManifestPackage[];
  /** Source packages built for the guest (bmake); absent when none. */
  sources?: ManifestSource[];
  /** disk: the read-only squashfs the guest reads block by block as /dev/sda. */
  outputs: { bios: ManifestOutput; kernel: ManifestOutput; initramfs: ManifestOutput; disk: ManifestOutput };
}

/**
 * The toolchain disk (the package @filemon-sim/toolchain-linux-i386): gcc,
 * binutils, GNU make and GNU tools from Debian's i386 packages, a second
 * read-only squashfs the guest mounts beneath its /usr overlay.
 */
export interface ToolchainManifest {
  format: 1;
  kind: 'toolchain';
  /** The squashfs's compressor (the guest kernel reads lz4 and zstd). */
  compression: string;
  /** The Debian packages its files come from (the files the base image has are left out). */
  packages: ManifestPackage[];
  /** The base image's disk the files were left out against (its sha256). */
  base: { disk: string };
  outputs: { disk: ManifestOutput };
}

/**
 * The guest's read-only disk as v86 takes it (its hda option): an object
 * with v86's disk buffer interface, reading the file at offsets in Node
 * (sim/node/disk.ts) and by HTTP range requests in browsers
 * (sim/browser/disk.ts). Nothing is written, so its state is empty.
 */
export interface GuestDisk {
  byteLength: number;
  get(start: number, len: number, fn: (data: Uint8Array) => void): void;
  /** v86 reads the first sector through these when it sets the disk up. */
  get_and_cache(start: number, len: number, fn: (data: Uint8Array) => void): void;
  get_from_cache(start: number, len: number): Uint8Array | undefined;
  set(start: number, data: Uint8Array, fn: () => void): void;
  load(): void;
  get_buffer(fn: (b?: ArrayBuffer) => void): void;
  get_state(): unknown[];
  set_state(state: unknown[]): void;
  onload?: (e: object) => void;
  /** Fetches the whole disk, for a disk whose reads would otherwise wait on the network. */
  loadAll?(): Promise<void>;
}

/** Everything needed to boot the guest. */
export interface GuestImage {
  bios: Uint8Array;
  kernel: Uint8Array;
  initramfs: Uint8Array;
  disk: GuestDisk;
  manifest: ImageManifest;
  /** The toolchain disk, attached as hdb (/dev/sdb) when present. */
  toolchain?: GuestToolchain;
}

/** A toolchain disk and its manifest, as the guest image carries it. */
export interface GuestToolchain {
  disk: GuestDisk;
  manifest: ToolchainManifest;
}

/** Hex sha256 through WebCrypto, which Node 20 and browsers both have. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Identity of a guest image for saved states: the hashes of what boots,
 * independent of when or where the image was built.
 */
export function imageIdentity(m: ImageManifest, toolchain?: ToolchainManifest): string {
  const o = m.outputs;
  // A guest with the toolchain mounted is another machine (a second disk, another /usr): its states are its own.
  return [o.bios.sha256, o.kernel.sha256, o.initramfs.sha256, o.disk.sha256, ...(toolchain ? [toolchain.outputs.disk.sha256] : [])].join(':');
}
