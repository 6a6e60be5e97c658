// Defined by scripts/build.mjs (esbuild `define`); absent when the sources run unbundled (tests).
declare const __KPGO_VERSION__: string;
declare const __KPGO_COMMIT__: string;
