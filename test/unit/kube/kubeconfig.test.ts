import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ExitError } from '../../../lib/cli/exit.ts';
import { kubeconfigPaths, loadKubeconfig, resolveContext } from '../../../lib/kube/kubeconfig.ts';
import { tempFiles } from '../../fixtures/kube/stub-server.ts';

const A = `
apiVersion: v1
kind: Config
current-context: ctx-a
clusters:
- name: shared
  cluster: {server: https://a.example:6443, certificate-authority: certs/ca.crt}
- name: only-a
  cluster: {server: https://only-a:6443}
users:
- name: u
  user: {token: token-from-a, client-certificate: certs/client.crt, client-key: /abs/client.key}
contexts:
- name: ctx-a
  context: {cluster: shared, user: u, namespace: team-a}
- name: dup
  context: {cluster: shared, user: u}
`;
const B = `
current-context: ctx-b
clusters:
- name: shared
  cluster: {server: https://b.example:6443}
users:
- name: u
  user: {token: token-from-b}
- name: exec-user
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/get-token}
contexts:
- name: ctx-b
  context: {cluster: shared, user: exec-user}
- name: dup
  context: {cluster: only-a, user: u, namespace: from-b}
`;

function expectExit(fn: () => unknown, re: RegExp) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ExitError, `expected ExitError, got ${e}`);
    assert.match((e as Error).message, re);
    assert.not.match((e as Error).message, /\n/);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

test('KUBECONFIG: paths split on ":", empty entries and repeats dropped; --kubeconfig wins over it', () => {
  assert.equal(kubeconfigPaths(undefined, { KUBECONFIG: '/a::/b:/a' }).paths, ['/a', '/b']);
  assert.equal(kubeconfigPaths('/x', { KUBECONFIG: '/a:/b' }), { paths: ['/x'], explicit: true });
  assert.equal(kubeconfigPaths(undefined, { HOME: '/home/dba' }), { paths: ['/home/dba/.kube/config'], explicit: false });
  assert.equal(kubeconfigPaths(undefined, { HOME: '/home/dba', KUBECONFIG: '' }).paths, ['/home/dba/.kube/config']);
});

test('the first file that sets current-context wins (client-node takes the last)', () => {
  const dir = tempFiles({ a: A, b: B });
  const ab = loadKubeconfig([join(dir, 'a'), join(dir, 'b')], false);
  assert.is(ab.currentContext, 'ctx-a');
  const ba = loadKubeconfig([join(dir, 'b'), join(dir, 'a')], false);
  assert.is(ba.currentContext, 'ctx-b');
});

test('a file without current-context does not stop a later one from setting it', () => {
  const dir = tempFiles({ none: 'clusters: []\n', b: B });
  assert.is(loadKubeconfig([join(dir, 'none'), join(dir, 'b')], false).currentContext, 'ctx-b');
});

test('the first definition of a duplicate cluster, user or context is kept', () => {
  const dir = tempFiles({ a: A, b: B });
  const cfg = loadKubeconfig([join(dir, 'a'), join(dir, 'b')], false);
  assert.is(cfg.clusters.get('shared')!.value.server, 'https://a.example:6443');
  assert.is(cfg.users.get('u')!.value.token, 'token-from-a');
  assert.is(cfg.contexts.get('dup')!.value.cluster, 'shared');
  // names only in the second file are still there
  assert.ok(cfg.users.get('exec-user'));
  const rev = loadKubeconfig([join(dir, 'b'), join(dir, 'a')], false);
  assert.is(rev.clusters.get('shared')!.value.server, 'https://b.example:6443');
  assert.is(rev.contexts.get('dup')!.value.namespace, 'from-b');
});

test('missing files in KUBECONFIG are skipped; a missing --kubeconfig is an error', () => {
  const dir = tempFiles({ b: B });
  const cfg = loadKubeconfig([join(dir, 'nope'), join(dir, 'b')], false);
  assert.equal(cfg.files, [join(dir, 'b')]);
  assert.is(cfg.currentContext, 'ctx-b');
  expectExit(() => loadKubeconfig([join(dir, 'nope')], true), /^error: stat .*nope: no such file or directory$/);
});

test('relative certificate, key and exec paths resolve against the file that names them', () => {
  const dir = tempFiles({ a: A, b: B });
  const cfg = loadKubeconfig([join(dir, 'a'), join(dir, 'b')], false);
  assert.is(cfg.clusters.get('shared')!.value['certificate-authority'], join(dir, 'certs/ca.crt'));
  assert.is(cfg.users.get('u')!.value['client-certificate'], join(dir, 'certs/client.crt'));
  assert.is(cfg.users.get('u')!.value['client-key'], '/abs/client.key');
  assert.is(cfg.users.get('exec-user')!.value.exec.command, join(dir, 'bin/get-token'));
});

test('namespace: the context\'s, else "default"', () => {
  const dir = tempFiles({ a: A });
  const cfg = loadKubeconfig([join(dir, 'a')], true);
  assert.is(resolveContext(cfg, undefined).namespace, 'team-a');
  assert.is(resolveContext(cfg, 'dup').namespace, 'default');
  const r = resolveContext(cfg, undefined);
  assert.is(r.contextName, 'ctx-a');
  assert.is(r.cluster.server, 'https://a.example:6443');
  assert.is(r.user.name, 'u');
});

test('--context picks another context; an unknown one is kubectl\'s error', () => {
  const dir = tempFiles({ a: A, b: B });
  const cfg = loadKubeconfig([join(dir, 'a'), join(dir, 'b')], false);
  assert.is(resolveContext(cfg, 'ctx-b').user.name, 'exec-user');
  expectExit(() => resolveContext(cfg, 'x'), /^error: context "x" does not exist$/);
});

test('unparseable kubeconfig: one line naming the file and the line', () => {
  const dir = tempFiles({ bad: 'clusters:\n- name: a\n  cluster: {server: [\n  users: x\n' });
  expectExit(() => loadKubeconfig([join(dir, 'bad')], true), /^error: error loading config file ".*bad": yaml: line \d+: /);
  const dir2 = tempFiles({ scalar: 'just a string\n' });
  expectExit(() => loadKubeconfig([join(dir2, 'scalar')], true), /not a kubeconfig/);
});

test('no current context, dangling references, no file at all', () => {
  const dir = tempFiles({
    nocur: 'clusters: [{name: c, cluster: {server: https://c}}]\ncontexts: [{name: x, context: {cluster: c}}]\n',
    dangling: 'current-context: x\ncontexts: [{name: x, context: {cluster: gone, user: u}}]\n',
    nouser: 'current-context: x\nclusters: [{name: c, cluster: {server: https://c}}]\ncontexts: [{name: x, context: {cluster: c, user: ghost}}]\n',
    curgone: 'current-context: zzz\nclusters: [{name: c, cluster: {server: https://c}}]\n',
  });
  expectExit(() => resolveContext(loadKubeconfig([join(dir, 'nocur')], true), undefined), /^error: current-context is not set in .*nocur; pass --context/);
  expectExit(() => resolveContext(loadKubeconfig([join(dir, 'dangling')], true), undefined), /^error: invalid configuration: cluster "gone" was not found for context "x"$/);
  expectExit(() => resolveContext(loadKubeconfig([join(dir, 'nouser')], true), undefined), /^error: invalid configuration: user "ghost" was not found for context "x"$/);
  expectExit(() => resolveContext(loadKubeconfig([join(dir, 'curgone')], true), undefined), /current-context "zzz" does not exist/);
  expectExit(() => resolveContext(loadKubeconfig([join(dir, 'absent')], false), undefined), /^error: no kubeconfig found/);
  // a context without a user is anonymous, not an error
  const anon = tempFiles({ c: 'current-context: x\nclusters: [{name: c, cluster: {server: https://c}}]\ncontexts: [{name: x, context: {cluster: c}}]\n' });
  assert.is(resolveContext(loadKubeconfig([join(anon, 'c')], true), undefined).user.name, '');
});

test('an empty file in KUBECONFIG is a valid empty config', () => {
  const dir = tempFiles({ empty: '', b: B });
  const cfg = loadKubeconfig([join(dir, 'empty'), join(dir, 'b')], false);
  assert.is(cfg.currentContext, 'ctx-b');
});

test.run();
