// Bundles one of the sandbox's TypeScript processes into a single ESM file, run by plain node:
// `node scripts/sandbox/bundle.mjs ENTRY.ts OUT.mjs`. Loaded through tsx instead, the ~3,000
// modules of @kubernetes/client-node cost about 140 MB more per process (measured: 205 MB vs
// 63 MB resident for the same client), and the sandbox runs four such processes.
import { build } from 'esbuild';

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  process.stderr.write('usage: node scripts/sandbox/bundle.mjs ENTRY.ts OUT.mjs\n');
  process.exit(2);
}
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
  // CommonJS dependencies (node-fetch 2, ws) require() Node's built-ins.
  banner: { js: "import { createRequire as __sandboxRequire } from 'node:module'; const require = __sandboxRequire(import.meta.url);" },
});
