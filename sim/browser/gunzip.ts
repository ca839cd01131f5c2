// Browser adapter: a saved state as fetched, made ready for Machine.boot().
// States are stored zstd-compressed: v86 recognises the frame and
// decompresses it itself while restoring, so they pass through unchanged.
// A gzip state (older sites) is inflated with the browser's own
// DecompressionStream.
export async function decodeState(bytes: Uint8Array): Promise<ArrayBuffer> {
  const zstd = bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd;
  if (zstd) {
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzip(bytes);
  throw new Error('the saved state is neither zstd nor gzip');
}

/** gunzip with the browser's own DecompressionStream. */
async function gunzip(bytes: Uint8Array): Promise<ArrayBuffer> {
  if (typeof DecompressionStream === 'undefined') throw new Error('this browser has no DecompressionStream');
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}
