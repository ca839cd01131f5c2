// Bundles a browser entry point (TypeScript) with esbuild. v86's Node-only
// branches import node builtins; they are left external and never run.
import { build } from 'esbuild';

export async function bundleForBrowser(entry: string, outfile: string, minify = false): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    external: ['node:*', 'fs', 'crypto', 'perf_hooks', 'path', 'url'],
    logLevel: 'warning',
  });
}
