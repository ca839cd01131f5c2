// Bundles a browser entry point (TypeScript) with esbuild. v86's Node-only
// branches import node builtins; they are left external and never run.
import { build } from 'esbuild';

export interface BundleOptions {
  minify?: boolean;
  /** Compile-time constants, as esbuild's define. */
  define?: Record<string, string>;
}

export async function bundleForBrowser(entry: string, outfile: string, { minify = false, define }: BundleOptions = {}): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    define,
    external: ['node:*', 'fs', 'crypto', 'perf_hooks', 'path', 'url'],
    logLevel: 'warning',
  });
}
