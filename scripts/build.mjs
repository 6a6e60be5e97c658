// Builds dist/kubectl-pgo: one CommonJS bundle with a shebang (CommonJS so that Node's single
// executable applications can embed the very same file).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let commit = process.env.KPGO_COMMIT ?? 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
} catch {}

mkdirSync('dist', { recursive: true });
// The repo's package.json says "type": "module"; the bundle is CommonJS.
writeFileSync('dist/package.json', '{"type": "commonjs"}\n');
// yargs 18 is ESM and reads import.meta.url; in a CommonJS bundle give it the bundle's own URL.
writeFileSync('dist/.import-meta-shim.js', "export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;\n");
// yargs and cliui bring string-width 7/8, whose module top level builds an Intl.Segmenter and
// \p{RGI_Emoji} regexes: that initialises ICU, 40-70 ms of every start. They only measure help
// text, for which string-width 4 (cli-table3's, already bundled) is as good.
const require = createRequire(import.meta.url);
const stringWidth4 = createRequire(require.resolve('cli-table3')).resolve('string-width');
// node:http, node:https, node:tls and node:http2 cannot be in a V8 start-up snapshot (the Linux
// single executable starts from one, cmd/snapshot.ts), and Node warns that child_process and
// readline may come out of one out of step: the bundle gets these through a shim that loads the
// module on first use - a default export that forwards everything, and a forwarding function per
// function export. Other named imports fail the build here, loudly.
const LAZY = /^(node:)?(http|https|tls|http2|child_process|readline)$/;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: LAZY }, (args) =>
      args.namespace === 'lazy-builtin'
        ? { path: `node:${args.path.replace(/^node:/, '')}`, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const real = require(`node:${args.path}`);
      const forwards = Object.keys(real)
        .filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default' && typeof real[k] === 'function')
        .map((k) => `export function ${k}(...a) { return new.target ? new (load().${k})(...a) : load().${k}(...a); }`);
      return {
        loader: 'js',
        contents: `let m;
const load = () => (m ??= require("node:${args.path}"));
export default new Proxy({}, {
  get: (_, k) => load()[k],
  has: (_, k) => k in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, k) => ({ ...Reflect.getOwnPropertyDescriptor(load(), k), configurable: true }),
});
${forwards.join('\n')}
`,
      };
    });
  },
};
const result = await build({
  entryPoints: ['cmd/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: 'dist/kubectl-pgo',
  banner: { js: '#!/usr/bin/env node' },
  inject: ['dist/.import-meta-shim.js'],
  alias: { 'string-width': stringWidth4 },
  plugins: [lazyBuiltins],
  define: {
    'import.meta.url': 'importMetaUrl',
    __KPGO_VERSION__: JSON.stringify(`v${pkg.version}`),
    __KPGO_COMMIT__: JSON.stringify(commit),
  },
  minify: process.env.KPGO_MINIFY !== '0',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
chmodSync('dist/kubectl-pgo', 0o755);
writeFileSync('dist/meta.json', JSON.stringify(result.metafile));
const bytes = readFileSync('dist/kubectl-pgo').length;
process.stderr.write(`built dist/kubectl-pgo (${(bytes / 1e6).toFixed(2)} MB)\n`);
