// Krew end to end: the released linux/amd64 archive installed by a real `kubectl krew`, from the
// manifest and from an index of our own (a local git repository whose URIs point at a loopback
// server), then run through the real kubectl with only Krew's bin directory added to a PATH that
// has no node on it.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kubectlPath, repoRoot } from '../../helpers/kubectl.ts';
import { ensurePackage, krewToolsDir, linuxArchive, pathWithoutNode, releaseDir, run, serveDir, version } from '../../helpers/krew.ts';
// @ts-expect-error: plain .mjs build script without types
import { parseChecksums, renderManifest } from '../../../scripts/package/manifest.mjs';

let tmp = '';
let tools = '';
let kubectl = '';
let indexRepo = '';
let server: Awaited<ReturnType<typeof serveDir>> | undefined;
// A healthy cluster with nothing beside it: the recorded one's directory also holds the real
// operator's logs of other runs (read as its log, rightly: they show reconcile errors).
const fixture = path.resolve(repoRoot, 'test/fixtures/clusters/base.yaml');

test.before(async () => {
  ensurePackage();
  kubectl = kubectlPath();
  tmp = mkdtempSync(path.join(tmpdir(), 'kpgo-krew-'));
  tools = krewToolsDir(tmp);
  // A kubeconfig that points nowhere: nothing here may reach a cluster by accident.
  writeFileSync(path.join(tmp, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  server = await serveDir(releaseDir);
  indexRepo = makeIndexRepo(server.base);
});

test.after(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Our Krew index as users get it: a git repository with plugins/pgo.yaml, its URIs on `base`. */
function makeIndexRepo(base: string): string {
  const repo = path.join(tmp, 'index-repo');
  mkdirSync(path.join(repo, 'plugins'), { recursive: true });
  const checksums = parseChecksums(readFileSync(path.join(releaseDir, 'checksums.txt'), 'utf8'));
  const manifest = renderManifest({ template: readFileSync(path.join(repoRoot, 'krew/pgo.yaml.tmpl'), 'utf8'), version, checksums, base });
  writeFileSync(path.join(repo, 'plugins', 'pgo.yaml'), manifest);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', '-c', 'init.defaultBranch=master', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'index');
  return repo;
}

/** Environment for `kubectl krew ...` (krew on PATH) or, with plain=true, for `kubectl pgo ...`. */
function envFor(krewRoot: string, plain = false): NodeJS.ProcessEnv {
  const dirs = [path.join(krewRoot, 'bin'), ...(plain ? [] : [tools]), pathWithoutNode(tmp)];
  return {
    PATH: dirs.join(path.delimiter),
    HOME: tmp,
    KREW_ROOT: krewRoot,
    KREW_NO_UPGRADE_CHECK: '1',
    // Krew adds its default index (a remote git repository) when it has none: never let it.
    KREW_DEFAULT_INDEX_URI: path.join(tmp, 'no-default-index'),
    KUBECONFIG: path.join(tmp, 'kubeconfig'),
  };
}

const kc = (args: string[], env: NodeJS.ProcessEnv) => run(kubectl, args, env);

async function assertPgoRuns(krewRoot: string) {
  const env = envFor(krewRoot, true);
  const noNode = await run('sh', ['-c', 'command -v node'], env);
  assert.is.not(noNode.code, 0, `node must not be on the PATH used (found ${noNode.stdout.trim()})`);
  const r = await kc(['pgo', 'version', '--client'], env);
  assert.is(r.code, 0, `kubectl pgo version --client failed: ${r.stderr}`);
  assert.match(r.stdout, new RegExp(`Client Version: ${version.replace(/\./g, '\\.')}\\b`));
  assert.match(r.stdout, /Runtime: node v24\.\d+\.\d+ \(single executable, linux\/amd64\)/);
  const st = await kc(['pgo', 'status', '--from', fixture, '--color', 'never'], env);
  assert.is(st.code, 0, `kubectl pgo status --from failed: ${st.stderr}`);
  assert.match(st.stdout, /^db\s+hippo\s+Healthy\s+2\/2\s/m);
  const list = await kc(['plugin', 'list'], env);
  assert.match(list.stdout, new RegExp(`${path.join(krewRoot, 'bin', 'kubectl-pgo').replace(/[/.]/g, '\\$&')}`));
}

async function assertUninstalled(krewRoot: string) {
  const un = await kc(['krew', 'uninstall', 'pgo'], envFor(krewRoot));
  assert.is(un.code, 0, un.stderr);
  assert.not.ok(existsSync(path.join(krewRoot, 'bin', 'kubectl-pgo')), 'the bin link is gone');
  assert.not.ok(existsSync(path.join(krewRoot, 'store', 'pgo')), 'the store directory is gone');
  const after = await kc(['pgo', 'version', '--client'], envFor(krewRoot, true));
  assert.is.not(after.code, 0);
  assert.match(after.stderr, /unknown command "pgo"/);
}

test('kubectl krew install --manifest --archive, run through kubectl without node, uninstall', async () => {
  const krewRoot = path.join(tmp, 'krew-manifest');
  const r = await kc(['krew', 'install', `--manifest=${path.join(repoRoot, 'krew/pgo.yaml')}`, `--archive=${linuxArchive}`], envFor(krewRoot));
  assert.is(r.code, 0, `krew install failed: ${r.stderr}`);
  assert.match(r.stderr, /Installed plugin: pgo/);
  const store = path.join(krewRoot, 'store', 'pgo', version);
  for (const f of ['kubectl-pgo', 'LICENSE', 'LICENSE-node', 'README.md', 'kubectl_complete-pgo']) {
    assert.ok(existsSync(path.join(store, f)), `${f} installed`);
  }
  assert.match(readFileSync(path.join(store, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  const link = path.join(krewRoot, 'bin', 'kubectl-pgo');
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.is(readlinkSync(link), path.join(store, 'kubectl-pgo'));
  await assertPgoRuns(krewRoot);
  // Krew refuses to uninstall without any index (a user always has one): add ours.
  const add = await kc(['krew', 'index', 'add', 'kpgo', indexRepo], envFor(krewRoot));
  assert.is(add.code, 0, add.stderr);
  await assertUninstalled(krewRoot);
});

test('kubectl krew index add of our own index, install from it over HTTP on loopback', async () => {
  const krewRoot = path.join(tmp, 'krew-index');
  const env = envFor(krewRoot);
  const add = await kc(['krew', 'index', 'add', 'kpgo', indexRepo], env);
  assert.is(add.code, 0, `index add failed: ${add.stderr}`);
  const inst = await kc(['krew', 'install', 'kpgo/pgo'], env);
  assert.is(inst.code, 0, `install kpgo/pgo failed: ${inst.stderr}`);
  assert.ok(
    server!.requests.includes(`/${version}/kubectl-pgo_${version}_linux_amd64.tar.gz`),
    `the archive was fetched from the manifest's uri (requests: ${server!.requests.join(', ')})`,
  );
  const list = await kc(['krew', 'list'], env);
  assert.match(list.stdout, /kpgo\/pgo/);
  await assertPgoRuns(krewRoot);
  await assertUninstalled(krewRoot);
});

test('kubectl_complete-pgo from the archive answers kubectl’s completion', async () => {
  const krewRoot = path.join(tmp, 'krew-complete');
  const r = await kc(['krew', 'install', `--manifest=${path.join(repoRoot, 'krew/pgo.yaml')}`, `--archive=${linuxArchive}`], envFor(krewRoot));
  assert.is(r.code, 0, r.stderr);
  // As the manifest's caveats tell users: copy the completer next to Krew's link.
  execFileSync('cp', [path.join(krewRoot, 'store', 'pgo', version, 'kubectl_complete-pgo'), path.join(krewRoot, 'bin')]);
  const c = await kc(['__complete', 'pgo', ''], envFor(krewRoot, true));
  assert.is(c.code, 0, c.stderr);
  const words = c.stdout.split('\n').map((l) => l.split('\t')[0]);
  for (const verb of ['status', 'version', 'completion']) assert.ok(words.includes(verb), `${verb} offered (got ${words.join(' ')})`);
});

test('with Crunchy\'s kubectl-pgo later on PATH: its verbs pass through unchanged, version shows both', async () => {
  const krewRoot = path.join(tmp, 'krew-peer');
  const r = await kc(['krew', 'install', `--manifest=${path.join(repoRoot, 'krew/pgo.yaml')}`, `--archive=${linuxArchive}`], envFor(krewRoot));
  assert.is(r.code, 0, r.stderr);
  // A stand-in for Crunchy's CLI (a peer program, not ours): echoes its arguments and stdin.
  const crunchyDir = path.join(tmp, 'crunchy-bin');
  mkdirSync(crunchyDir, { recursive: true });
  const crunchy = path.join(crunchyDir, 'kubectl-pgo');
  writeFileSync(
    crunchy,
    '#!/bin/sh\nif [ "$1" = version ]; then echo "Client Version: v0.5.2"; exit 0; fi\n' +
      'printf "crunchy:"; for a in "$@"; do printf " [%s]" "$a"; done; echo; printf "stdin=%s\\n" "$(cat)"; echo oops >&2; exit 4\n',
  );
  chmodSync(crunchy, 0o755);
  const env = envFor(krewRoot, true);
  env.PATH = `${path.join(krewRoot, 'bin')}:${crunchyDir}:${env.PATH!.split(':').slice(1).join(':')}`;
  const b = await run(kubectl, ['pgo', 'backup', 'hippo', '--repoName=repo1', '--options', '--type=full'], env, { input: 'yes' });
  assert.is(b.code, 4, b.stderr);
  assert.is(b.stdout, 'crunchy: [backup] [hippo] [--repoName=repo1] [--options] [--type=full]\nstdin=yes\n');
  assert.is(b.stderr, 'oops\n');
  const v = await kc(['pgo', 'version', '--client'], env);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, /^Client Version: v\d/m);
  assert.match(v.stdout, new RegExp(`^Crunchy kubectl-pgo: v0\\.5\\.2 at ${crunchy.replace(/[/.]/g, '\\$&')}`, 'm'));
  // Our own verbs are still ours.
  const st = await kc(['pgo', 'status', '--from', fixture, '--color', 'never'], env);
  assert.is(st.code, 0, st.stderr);
});

test.run();
