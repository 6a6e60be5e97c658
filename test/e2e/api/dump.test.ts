// `kubectl pgo dump` on the sandbox's API server, through real kubectl: what it writes is what
// `status --from` and `diff --from` read - the same findings and health as the live run (times
// aside), for the incident and a healthy cluster - with no Secret, no env value and no credential
// annotation in it, and it never overwrites.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import type { StatusReport } from '../../../lib/report/schema.ts';
import { makeWorld, reportOf, type World } from '../../helpers/e2e-api.ts';
import { apiOk, describeRun, kubectlPgo } from '../../helpers/sandbox.ts';

let world: World;
let ns: string;
const tmp = mkdtempSync(path.join(tmpdir(), 'kpgo-dump-'));
const SECRET_VALUE = `s3cr3t-${Math.random().toString(36).slice(2)}`;

test.before(async () => {
  world = await makeWorld('e2e-dump');
  ns = await world.namespace('e2e-dump');
  const incident = await world.cluster(ns, 'hippo', { incident: true });
  await world.cluster(ns, 'zebra');
  // Credentials where a careless dump would pick them up: a Secret, an env value, annotations.
  await apiOk('POST', `/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 'hippo-pguser-hippo', labels: { 'postgres-operator.crunchydata.com/cluster': 'hippo' } }, stringData: { password: SECRET_VALUE } });
  const pod = incident.objects.find((o) => o.kind === 'Pod' && ['master', 'primary'].includes(o.metadata.labels?.['postgres-operator.crunchydata.com/role'] ?? ''))!.metadata.name;
  await apiOk('PATCH', `/api/v1/namespaces/${ns}/pods/${pod}`, {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"password":"${SECRET_VALUE}"}`, 'example.com/db-password': SECRET_VALUE } },
  }, { contentType: 'application/merge-patch+json' });
});

test.after(async () => {
  await world?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

/** Findings per cluster with times and durations taken out (the dump's clock is its newest timestamp). */
function findingsOf(r: StatusReport) {
  const untimed = (s: string) => s.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T').replace(/\d\d:\d\d(:\d\d)?( UTC)?/g, 'T').replace(/\b\d+[dhms](\d+[hms])*\b/g, 'D');
  return r.clusters.map((c) => ({
    cluster: `${c.namespace}/${c.name}`,
    health: c.health,
    findings: c.findings.map((f) => [f.code, f.severity, f.subject, untimed(f.message), f.blocking, f.blockedBy]),
  }));
}

test('dump -f x.tar.gz, then status --from it: the same findings and health as live; exit codes alike', async () => {
  const archive = path.join(tmp, 'db.tar.gz');
  const d = await kubectlPgo(['dump', '-n', ns, '-f', archive]);
  assert.is(d.code, 0, describeRun('dump', d));
  assert.match(d.stderr, /^Wrote .*db\.tar\.gz: .*PostgresCluster/m);
  assert.equal(execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n').slice(0, 2), ['MANIFEST', 'objects.yaml']);
  const live = await kubectlPgo(['status', '-n', ns, '-o', 'json']);
  const fromDump = await kubectlPgo(['status', '--from', archive, '-o', 'json']);
  assert.is(fromDump.code, live.code, describeRun('status --from dump', fromDump));
  assert.is(live.code, 2);
  const a = findingsOf(reportOf(live));
  const b = findingsOf(reportOf(fromDump));
  assert.equal(b, a);
  assert.equal(a.map((c) => [c.cluster, c.health]), [[`${ns}/hippo`, 'Blocked'], [`${ns}/zebra`, a[1].health]]);
  assert.ok(a[0].findings.some((f) => f[0] === 'SwitchoverBlocked'));
  assert.is(reportOf(fromDump).source.kind, 'file');
});

test('a directory dump reads the same; diff --from it agrees with the live diff', async () => {
  const dir = path.join(tmp, 'dir');
  const d = await kubectlPgo(['dump', 'hippo', '-n', ns, '-f', dir]);
  assert.is(d.code, 0, describeRun('dump hippo', d));
  const files = readdirSync(dir).sort();
  assert.ok(files.includes('MANIFEST') && files.includes('objects.yaml'), files.join(','));
  const live = await kubectlPgo(['status', 'hippo', '-n', ns, '-o', 'json']);
  const fromDump = await kubectlPgo(['status', 'hippo', '--from', dir, '-o', 'json']);
  assert.equal(findingsOf(reportOf(fromDump)), findingsOf(reportOf(live)));
  const liveDiff = await kubectlPgo(['diff', 'hippo', '-n', ns]);
  const dumpDiff = await kubectlPgo(['diff', 'hippo', '-n', ns, '--from', dir]);
  assert.is(dumpDiff.code, liveDiff.code, describeRun('diff --from', dumpDiff));
  assert.is(dumpDiff.stdout, liveDiff.stdout);
});

test('no Secret, no env value, no credential annotation in the dump; MANIFEST says what was taken out', async () => {
  const dir = path.join(tmp, 'dir');
  const everything = readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  assert.not.ok(everything.includes(SECRET_VALUE), 'a credential reached the dump');
  assert.not.match(everything, /kind: Secret\b/);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const objects = load(readFileSync(path.join(dir, 'objects.yaml'), 'utf8')) as any;
  const keys = objects.items.flatMap((o: any) => Object.keys(o.metadata.annotations ?? {}));
  assert.ok(keys.length > 0, 'the objects carry annotations: the test must see some');
  assert.not.ok(keys.some((k: string) => /last-applied-configuration|db-password/.test(k)), keys.join(','));
  const envValues = objects.items.flatMap((o: any) => [...(o.spec?.containers ?? []), ...(o.spec?.template?.spec?.containers ?? [])]).flatMap((c: any) => c.env ?? []).filter((e: any) => 'value' in e);
  assert.ok(envValues.length > 0, 'the recorded pods carry env values: the test must see some');
  assert.ok(envValues.every((e: any) => e.value === '(redacted by kubectl pgo dump)'), JSON.stringify(envValues.slice(0, 3)));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const m = load(readFileSync(path.join(dir, 'MANIFEST'), 'utf8')) as any;
  assert.is(m.kind, 'DumpManifest');
  assert.is(m.scope.cluster, 'hippo');
  assert.ok(m.redacted.envValues >= envValues.length, `${m.redacted.envValues} < ${envValues.length}`);
  assert.ok(m.redacted.annotations >= 2);
  assert.ok(Array.isArray(m.forbidden));
  assert.is(m.source.kind, 'api');
});

test('never overwrites: an existing archive or a non-empty directory is one line, exit 1, untouched', async () => {
  const file = path.join(tmp, 'taken.tar.gz');
  writeFileSync(file, 'mine');
  const r = await kubectlPgo(['dump', '-n', ns, '-f', file]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: ".*taken\.tar\.gz" already exists; a dump never overwrites/);
  assert.is(r.stderr.trim().split('\n').length, 1);
  assert.is(readFileSync(file, 'utf8'), 'mine');
  const dir = path.join(tmp, 'full');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'x'), 'y');
  const r2 = await kubectlPgo(['dump', '-n', ns, '-f', dir]);
  assert.is(r2.code, 1);
  assert.match(r2.stderr, /is not empty/);
  assert.equal(readdirSync(dir), ['x']);
  const r3 = await kubectlPgo(['dump', '-n', ns]);
  assert.is(r3.code, 1, describeRun('dump without -f', r3));
  assert.ok(!existsSync(path.join(tmp, 'undefined')));
});

test.run();
