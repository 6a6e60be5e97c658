// kubectl's connection flags and in-cluster configuration, proven on the real kube-apiserver
// with the built plugin run through real kubectl: impersonation (--as, --as-group, --as-uid, as
// RBAC sees it), --server/--token/--certificate-authority/--insecure-skip-tls-verify/--user/
// --cluster with no or another kubeconfig, completion asking as the impersonated user, and
// `status` inside a "pod" (the service account files mounted where client-go looks for them, in a
// private mount namespace, no kubeconfig at all) as a CronJob would run it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { clusterIn, makeWorld, reportOf, type World } from '../../helpers/e2e-api.ts';
import { kubectlPath, kubeEnv, run } from '../../helpers/kubectl.ts';
import { readRules, userWithRules, type TestUser } from '../../helpers/rbac.ts';
import { adminKubeconfigPath, api, apiOk, describeRun, kubectlPgo, sandboxDir, uniqueName } from '../../helpers/sandbox.ts';

let world: World;
let ns: string;
let impersonator: TestUser; // may impersonate users, groups and uids; may read nothing itself
let noUids: TestUser; // may impersonate users and groups, not uids
let reader: TestUser; // may read what status reads
let group: string; // the group whose members may read what status reads
const undo: Array<() => Promise<unknown>> = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kpgo-e2e-creds-'));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const yamlOf = (file: string) => load(readFileSync(file, 'utf8')) as any;
const tokenOf = (u: TestUser): string => yamlOf(u.kubeconfig).users[0].user.token;
const admin = () => {
  const k = yamlOf(adminKubeconfigPath());
  const ctx = k.contexts.find((c: { name: string }) => c.name === k['current-context']).context;
  return k.clusters.find((c: { name: string }) => c.name === ctx.cluster).cluster;
};
/** A CA file that verifies the API server: the kubeconfig's, else the sandbox's self-signed bundle. */
function caFile(): string {
  const c = admin();
  if (c['certificate-authority-data']) {
    const f = path.join(tmp, 'ca.crt');
    writeFileSync(f, Buffer.from(c['certificate-authority-data'], 'base64'));
    return f;
  }
  if (c['certificate-authority']) return path.resolve(path.dirname(adminKubeconfigPath()), c['certificate-authority']);
  return path.join(sandboxDir, 'pki', 'apiserver.crt');
}

test.before(async () => {
  world = await makeWorld('e2e-creds');
  ns = await world.namespace('e2e-creds');
  await world.cluster(ns, 'hippo');
  const imp = (resources: string[], group: string) => ({ apiGroups: [group], resources, verbs: ['impersonate'] });
  [impersonator, noUids, reader] = await Promise.all([
    userWithRules('e2e-imp', { clusterRules: [imp(['users', 'groups'], ''), imp(['uids'], 'authentication.k8s.io')] }),
    userWithRules('e2e-imp-nouid', { clusterRules: [imp(['users', 'groups'], '')] }),
    userWithRules('e2e-reader', { clusterRules: readRules() }),
  ]);
  group = uniqueName('kpgo-readers');
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  await apiOk('POST', `${rbac}/clusterroles`, { metadata: { name: group, labels: { 'kpgo.test/e2e': 'true' } }, rules: readRules() });
  undo.push(() => api('DELETE', `${rbac}/clusterroles/${group}`));
  await apiOk('POST', `${rbac}/clusterrolebindings`, {
    metadata: { name: group },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: group },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: group }],
  });
  undo.push(() => api('DELETE', `${rbac}/clusterrolebindings/${group}`));
});

test.after(async () => {
  await Promise.all([impersonator?.cleanup(), noUids?.cleanup(), reader?.cleanup(), ...undo.map((u) => u())]);
  await world?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

test('--as with --as-group: the apiserver sees the impersonated user in the group that may read', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json', '--as', 'alice', '--as-group', 'not-this-one', '--as-group', group, '--as-uid', 'u-42'], { kubeconfig: impersonator.kubeconfig });
  assert.ok(r.code === 0 || r.code === 2, describeRun('status as alice in the readers group', r));
  assert.is(clusterIn(reportOf(r), ns, 'hippo').name, 'hippo');
});

test('--as alone: refused as "alice" (the header reached RBAC); without --as: refused as the impersonator', async () => {
  const asAlice = await kubectlPgo(['status', 'hippo', '-n', ns, '--as', 'alice'], { kubeconfig: impersonator.kubeconfig });
  assert.is(asAlice.code, 1, describeRun('status as alice alone', asAlice));
  assert.match(asAlice.stderr, /User "alice" cannot/);
  const self = await kubectlPgo(['status', 'hippo', '-n', ns], { kubeconfig: impersonator.kubeconfig });
  assert.is(self.code, 1, describeRun('status as the impersonator', self));
  assert.match(self.stderr, new RegExp(`User "${impersonator.username}" cannot`));
});

test('--as-uid is sent: an impersonator without the right to impersonate uids is refused for it', async () => {
  const r = await kubectlPgo(['status', 'hippo', '-n', ns, '--as', 'alice', '--as-group', group, '--as-uid', 'u-42'], { kubeconfig: noUids.kubeconfig });
  assert.is(r.code, 1, describeRun('status --as-uid without the right', r));
  // Kubernetes 1.36 words it "cannot impersonate-on:user-info:get" (constrained impersonation), older ones "cannot impersonate resource "uids""
  assert.match(r.stderr, new RegExp(`User "${noUids.username}" cannot impersonate`), describeRun('--as-uid', r));
  const without = await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json', '--as', 'alice', '--as-group', group], { kubeconfig: noUids.kubeconfig });
  assert.ok(without.code === 0 || without.code === 2, describeRun('the same without --as-uid', without));
});

test('the impersonation flags in the other verbs: diff and version read as alice of the group; heal and switchover are refused as alice', async () => {
  const as = ['--as', 'alice', '--as-group', group];
  const diff = await kubectlPgo(['diff', 'hippo', '-n', ns, ...as], { kubeconfig: impersonator.kubeconfig });
  assert.ok(diff.code === 0 || diff.code === 2, describeRun('diff as alice', diff));
  const version = await kubectlPgo(['version', '-o', 'json', ...as], { kubeconfig: impersonator.kubeconfig });
  assert.is(version.code, 0, describeRun('version as alice', version));
  const alone = await kubectlPgo(['version', '-o', 'json', '--as', 'alice'], { kubeconfig: impersonator.kubeconfig });
  assert.is(alone.code, 1, describeRun('version as alice alone', alone));
  // alice's group may only read (the impersonator itself nothing): heal reads and finds nothing to do; switchover's write is refused, naming alice
  const heal = await kubectlPgo(['heal', 'hippo', '-n', ns, '--yes', '--dry-run=server', ...as], { kubeconfig: impersonator.kubeconfig });
  assert.is(heal.code, 0, describeRun('heal as alice', heal));
  assert.match(heal.stdout, /Nothing to heal/);
  const sw = await kubectlPgo(['switchover', 'hippo', '-n', ns, '--yes', '--dry-run=server', ...as], { kubeconfig: impersonator.kubeconfig });
  assert.is(sw.code, 1, describeRun('switchover as alice', sw));
  assert.match(sw.stderr, /User "alice" cannot patch resource "postgresclusters"/);
});

test('completion asks the cluster as the impersonated user: names only with the flags that grant them', async () => {
  const granted = await kubectlPgo(['__complete', '--as', 'alice', '--as-group', group, '-n', ns, 'status', 'hip'], { kubeconfig: impersonator.kubeconfig });
  assert.match(granted.stdout, /^hippo$/m, describeRun('__complete as alice', granted));
  const bare = await kubectlPgo(['__complete', '-n', ns, 'status', 'hip'], { kubeconfig: impersonator.kubeconfig });
  assert.not.match(bare.stdout, /^hippo$/m);
});

test('--server, --token, --certificate-authority (or --insecure-skip-tls-verify) with no kubeconfig at all', async () => {
  const server = String(admin().server);
  const none = path.join(tmp, 'no-such-kubeconfig');
  const base = ['status', 'hippo', '-n', ns, '-o', 'json', '--server', server, '--token', tokenOf(reader)];
  const ca = await kubectlPgo([...base, '--certificate-authority', caFile()], { kubeconfig: none });
  assert.ok(ca.code === 0 || ca.code === 2, describeRun('with --certificate-authority', ca));
  assert.is(clusterIn(reportOf(ca), ns, 'hippo').name, 'hippo');
  const insecure = await kubectlPgo([...base, '--insecure-skip-tls-verify'], { kubeconfig: none });
  assert.ok(insecure.code === 0 || insecure.code === 2, describeRun('with --insecure-skip-tls-verify', insecure));
  const unverified = await kubectlPgo(base, { kubeconfig: none });
  assert.is(unverified.code, 1, describeRun('no CA, no insecure', unverified));
  assert.match(unverified.stderr, /^error: .*certificate/m);
});

test('--user and --cluster pick entries the current context does not use', async () => {
  const c = admin();
  const kc = path.join(tmp, 'two-users');
  writeFileSync(
    kc,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'broken',
      clusters: [
        { name: 'nowhere', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
        { name: 'real', cluster: c['certificate-authority'] ? { ...c, 'certificate-authority': caFile() } : c },
      ],
      users: [
        { name: 'nobody', user: { token: 'not-a-token' } },
        { name: 'reader', user: { token: tokenOf(reader) } },
      ],
      contexts: [{ name: 'broken', context: { cluster: 'nowhere', user: 'nobody', namespace: ns } }],
    }),
  );
  const r = await kubectlPgo(['status', 'hippo', '-o', 'json', '--cluster', 'real', '--user', 'reader'], { kubeconfig: kc });
  assert.ok(r.code === 0 || r.code === 2, describeRun('--cluster real --user reader', r));
  assert.is(clusterIn(reportOf(r), ns, 'hippo').namespace, ns, 'the namespace still comes from the context');
  const anonymous = await kubectlPgo(['status', 'hippo', '--cluster', 'real'], { kubeconfig: kc });
  assert.is(anonymous.code, 1, describeRun('--cluster real as nobody', anonymous));
  assert.match(anonymous.stderr, /Unauthorized|must be logged in/);
});

test('an exec plugin whose first token the apiserver refuses (401) is run again and the call succeeds', async () => {
  const c = admin();
  const dir = mkdtempSync(path.join(tmp, 'exec-'));
  writeFileSync(path.join(dir, 'good'), tokenOf(reader));
  // First run: a token the apiserver does not know; every later run: the reader's.
  const plugin = path.join(dir, 'plugin.sh');
  writeFileSync(
    plugin,
    `#!/bin/sh\necho run >> "${dir}/runs"\nif [ "$(wc -l < "${dir}/runs")" -eq 1 ]; then t=expired; else t=$(cat "${dir}/good"); fi\n` +
      `printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$t"\n`,
    { mode: 0o755 },
  );
  const kc = path.join(dir, 'kubeconfig');
  writeFileSync(
    kc,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'x',
      clusters: [{ name: 'real', cluster: c['certificate-authority'] ? { ...c, 'certificate-authority': caFile() } : c }],
      users: [{ name: 'exec', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: plugin } } }],
      contexts: [{ name: 'x', context: { cluster: 'real', user: 'exec', namespace: ns } }],
    }),
  );
  const r = await kubectlPgo(['status', 'hippo', '-o', 'json'], { kubeconfig: kc });
  assert.ok(r.code === 0 || r.code === 2, describeRun('status with a refused first exec token', r));
  assert.is(clusterIn(reportOf(r), ns, 'hippo').name, 'hippo');
  assert.is(readFileSync(path.join(dir, 'runs'), 'utf8').trim().split('\n').length, 2, 'the plugin ran twice: once more after the 401');
});

test('in a pod, with no kubeconfig: the service account token, CA and namespace are used (a CronJob running status)', async () => {
  const server = new URL(String(admin().server));
  writeFileSync(path.join(tmp, 'token'), tokenOf(reader));
  const home = mkdtempSync(path.join(tmp, 'home-'));
  // client-go's paths are fixed; a private mount namespace puts the files there for this process only.
  const script = [
    'set -e',
    'mount -t tmpfs tmpfs /run',
    `d=/var/run/secrets/kubernetes.io/serviceaccount; mkdir -p "$d"`,
    `cp "${path.join(tmp, 'token')}" "$d/token"; cp "${caFile()}" "$d/ca.crt"; printf '%s\\n' "${ns}" > "$d/namespace"`,
    `exec "${kubectlPath()}" pgo status hippo -o json`,
  ].join('\n');
  writeFileSync(path.join(tmp, 'in-pod.sh'), script);
  const env: NodeJS.ProcessEnv = { ...kubeEnv(path.join(tmp, 'absent')), HOME: home, KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port || '443' };
  delete env.KUBECONFIG;
  const r = await run('unshare', ['--mount', '--propagation', 'private', 'sh', path.join(tmp, 'in-pod.sh')], { env });
  assert.ok(r.code === 0 || r.code === 2, describeRun('status in a pod', r));
  assert.is(clusterIn(reportOf(r), ns, 'hippo').namespace, ns, 'the namespace of the service account');
  // and outside the "pod", the same environment has no configuration
  const outside = await kubectlPgo(['status', 'hippo'], { kubeconfig: path.join(tmp, 'absent'), env: { HOME: home, KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port } });
  assert.is(outside.code, 1);
  assert.match(outside.stderr, /^error: (no kubeconfig found|stat )/m);
});

test.run();
