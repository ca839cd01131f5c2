// Types of site.mjs for the tests and the benchmark.
export declare const defaultOutDir: string;
export declare function buildSite(opts?: { outDir?: string; minify?: boolean; onLog?: (msg: string) => void; toolchain?: string | false }): Promise<{ outDir: string; stateKey: string }>;
export declare function serveSite(opts?: { outDir?: string; port?: number; onLog?: (msg: string) => void; toolchain?: string | false }): Promise<{ url: string; close(): Promise<void> }>;
