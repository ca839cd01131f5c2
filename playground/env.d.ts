// Ambient declarations for the page's bundle (esbuild handles CSS imports
// and defines __V86_VERSION__ from node_modules/v86/package.json).
declare module '*.css';
declare const __V86_VERSION__: string;
