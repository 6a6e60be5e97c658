// The sandbox command itself (npm run sandbox -- up|down|status|kubeconfig|namespace), on a
// second sandbox of its own (own directory, own ports) so it neither needs nor disturbs the
// cluster the other suites use. Hooks are test doubles that record what they were given.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeRun, run, type RunResult } from '../../helpers/kubectl.ts';
import { api, pgoCrds, repoRoot } from '../../helpers/sandbox.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'kpgo-sandbox-cli-'));
const dir = path.join(root, 'sandbox');
const hooks = path.join(root, 'hooks');
const events = path.join(root, 'events.log');
const version = pgoCrds();

function sandbox(...args: string[]): Promise<RunResult> {
  return run('bash', [path.join(repoRoot, 'scripts/sandbox/sandbox.sh'), ...args], {
    env: { ...process.env, SANDBOX_DIR: dir, SANDBOX_HOOKS_DIR: hooks, OPERATOR_BINARY: '' },
    timeoutMs: 240_000,
  });
}

const pids = () =>
  existsSync(path.join(dir, 'run'))
    ? Object.fromEntries(readdirSync(path.join(dir, 'run')).filter((f) => f.endsWith('.pid')).map((f) => [f.slice(0, -4), Number(readFileSync(path.join(dir, 'run', f), 'utf8'))]))
    : {};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const hookEvents = () => (existsSync(events) ? readFileSync(events, 'utf8').trim().split('\n') : []);
const kubeconfig = () => path.join(dir, 'kubeconfig');

/** Hooks that log their name and the env they got; the pods hook runs a process of its own. */
function writeHooks(): void {
  const hook = (component: string, name: string, extra = '') => {
    mkdirSync(path.join(hooks, component), { recursive: true });
    writeFileSync(
      path.join(hooks, component, `${name}.sh`),
      `echo "${component}/${name} SANDBOX_DIR=$SANDBOX_DIR KUBECONFIG=$KUBECONFIG KUBE_BIN_DIR=$KUBE_BIN_DIR APISERVER_URL=$APISERVER_URL OPERATOR_BINARY=\${OPERATOR_BINARY:-}" >> ${events}\n${extra}`,
    );
  };
  hook('pods', 'up', 'sleep 600 >/dev/null 2>&1 & echo $! > "$SANDBOX_DIR/run/pods-test.pid"; command -v sleep > "$SANDBOX_DIR/run/pods-test.bin"\n');
  hook('pods', 'down', 'kill "$(cat "$SANDBOX_DIR/run/pods-test.pid")" && rm -f "$SANDBOX_DIR/run/pods-test".*\n');
  hook('pods', 'status');
  hook('operator', 'up');
  hook('operator', 'down');
}

test.before(() => writeHooks());

test.after(async () => {
  // Whatever a failed test left running: stop it by pid, then remove the directory.
  if (existsSync(dir)) await sandbox('down');
  for (const pid of Object.values(pids())) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

test('bad input: one error line, exit 1, nothing started', async () => {
  for (const args of [['up', '--pgo-crds', 'v9.9.9'], ['up', '--frobnicate'], ['frobnicate'], ['up', '--operator=/no/such/binary']]) {
    const r = await sandbox(...args);
    assert.is(r.code, 1, describeRun(args.join(' '), r));
    assert.match(r.stderr, /^error: /m, describeRun(args.join(' '), r));
  }
  assert.not.ok(existsSync(path.join(dir, 'run')), 'nothing was started');
  const s = await sandbox('status');
  assert.is(s.code, 1);
  assert.match(s.stdout, /not up/);
});

test(`up: etcd + kube-apiserver ready, PGO ${version} CRDs, kubeconfig path printed`, async () => {
  const r = await sandbox('up', '--pgo-crds', version);
  assert.is(r.code, 0, describeRun('up', r));
  assert.is(r.stdout.trim().split('\n').pop(), kubeconfig());
  const env = readFileSync(path.join(dir, 'env'), 'utf8');
  for (const key of ['KUBECONFIG', 'APISERVER_URL', 'ETCD_CLIENT_PORT', 'ETCD_PEER_PORT', 'KUBE_BIN_DIR', 'SANDBOX_DIR']) assert.match(env, new RegExp(`^export ${key}='.+'$`, 'm'), key);
  assert.match(env, new RegExp(`^export PGO_CRDS='${version}'$`, 'm'));
  const ready = await api<string>('GET', '/readyz', undefined, { kubeconfig: kubeconfig(), accept: 'text/plain' });
  assert.is(ready.status, 200);
  assert.is(ready.text, 'ok');
  const crd = await api<{ status: { conditions: Array<{ type: string; status: string }> } }>('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/postgresclusters.postgres-operator.crunchydata.com', undefined, { kubeconfig: kubeconfig() });
  assert.ok(crd.body.status.conditions.some((c) => c.type === 'Established' && c.status === 'True'));
  const sa = await api('GET', '/api/v1/namespaces/default/serviceaccounts/default', undefined, { kubeconfig: kubeconfig() });
  assert.is(sa.status, 200, 'the default namespace has its default ServiceAccount');
  const p = pids();
  assert.ok(alive(p.etcd) && alive(p['kube-apiserver']), JSON.stringify(p));
  assert.equal(hookEvents(), [], 'no hook runs without --pods/--operator');
});

test('a second up reuses the running processes', async () => {
  const before = pids();
  const r = await sandbox('up');
  assert.is(r.code, 0, describeRun('up again', r));
  assert.equal(pids(), before);
  assert.match(r.stderr, /etcd reused/);
  assert.match(r.stderr, /kube-apiserver reused/);
  assert.match(r.stderr, new RegExp(`PGO ${version.replace(/\./g, '\\.')} CRDs reused`));
});

test('status, kubeconfig and namespace', async () => {
  const s = await sandbox('status');
  assert.is(s.code, 0, describeRun('status', s));
  const p = pids();
  assert.match(s.stdout, /sandbox: up/);
  assert.match(s.stdout, new RegExp(`etcd\\s+${p.etcd}\\s+\\d+\\s+\\d{4}-\\d\\d-\\d\\dT`));
  assert.match(s.stdout, new RegExp(`kube-apiserver\\s+${p['kube-apiserver']}\\s+\\d+`));
  const k = await sandbox('kubeconfig');
  assert.is(k.stdout.trim(), kubeconfig());
  const n = await sandbox('namespace', 'cli-a', 'cli-b');
  assert.is(n.code, 0, describeRun('namespace', n));
  for (const ns of ['cli-a', 'cli-b']) {
    assert.is((await api('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`, undefined, { kubeconfig: kubeconfig() })).status, 200, ns);
  }
  assert.is((await sandbox('namespace', 'cli-a')).code, 0, 'idempotent');
});

test('up --operator=PATH runs the pods hook, then the operator hook with OPERATOR_BINARY and the env', async () => {
  const r = await sandbox('up', '--operator=/bin/true');
  assert.is(r.code, 0, describeRun('up --operator', r));
  const ev = hookEvents().filter((e) => e.split(' ')[0].endsWith('/up'));
  assert.is(ev.length, 2, hookEvents().join('\n'));
  assert.match(ev[0], /^pods\/up /);
  assert.match(ev[1], /^operator\/up .*OPERATOR_BINARY=\/(usr\/)?bin\/true$/);
  for (const e of ev) {
    assert.ok(e.includes(`SANDBOX_DIR=${dir} `), e);
    assert.ok(e.includes(`KUBECONFIG=${kubeconfig()} `), e);
    assert.match(e, /KUBE_BIN_DIR=\/\S+kubernetes-v1\.\d+\.\d+ APISERVER_URL=https:\/\/127\.0\.0\.1:\d+ /);
  }
  const s = await sandbox('status');
  assert.match(s.stdout, /pods-test\s+\d+/);
  assert.ok(hookEvents().some((e) => e.startsWith('pods/status ')), 'status runs the pods status hook');
});

test('down: operator hook, pods hook, apiserver, etcd - all gone, directory removed', async () => {
  const before = pids();
  assert.ok(Object.keys(before).length >= 3, JSON.stringify(before));
  const r = await sandbox('down');
  assert.is(r.code, 0, describeRun('down', r));
  const downs = hookEvents().map((e) => e.split(' ')[0]).filter((h) => h.endsWith('/down'));
  assert.equal(downs, ['operator/down', 'pods/down']);
  assert.ok(r.stderr.indexOf('kube-apiserver stopped') < r.stderr.indexOf('etcd stopped'), 'apiserver stops before etcd');
  assert.ok(r.stderr.indexOf('kube-apiserver stopped') >= 0, r.stderr);
  for (const [name, pid] of Object.entries(before)) assert.not.ok(alive(pid), `${name} (${pid}) still runs`);
  assert.not.ok(existsSync(dir), 'the sandbox directory is removed');
  assert.is((await sandbox('status')).code, 1);
  assert.is((await sandbox('down')).code, 0, 'down when nothing runs is fine');
});

test.run();
