// The guest image as the harness sees it: three files and their manifest.
// Shared by the image build (which writes the manifest) and both adapters.

export interface ManifestPackage {
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
  outputs: { bios: ManifestOutput; kernel: ManifestOutput; initramfs: ManifestOutput };
}

/** Everything needed to boot the guest. */
export interface GuestImage {
  bios: Uint8Array;
  kernel: Uint8Array;
  initramfs: Uint8Array;
  manifest: ImageManifest;
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
export function imageIdentity(m: ImageManifest): string {
  const o = m.outputs;
  return [o.bios.sha256, o.kernel.sha256, o.initramfs.sha256].join(':');
}
