import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_LAG_BYTES, healthOf, runChecks } from '../../../lib/checks/index.ts';
import { loadSnapshot } from '../../../lib/snapshot/from-file.ts';
import { fixture, recorded, snapshotFromYaml } from '../../helpers/snapshot-from-yaml.ts';

const everywhere = { allNamespaces: true, namespace: '' };

const opts = { maxLagBytes: DEFAULT_MAX_LAG_BYTES, now: new Date('2026-11-25T17:12:30Z') };
const hippo = { namespace: 'db', name: 'hippo' };

test('the incident: a pending switchover blocks the recreation of the deleted replica', () => {
  const snap = snapshotFromYaml(fixture('incident/incident.yaml'));
  const findings = runChecks(snap, opts);
  const blocked = findings.find((f) => f.code === 'SwitchoverBlocked');
  const missing = findings.find((f) => f.code === 'InstanceMissing');
  assert.ok(blocked, 'SwitchoverBlocked');
  assert.ok(missing, 'InstanceMissing');
  assert.is(blocked!.severity, 'error');
  assert.is(blocked!.blocking, true);
  assert.is(blocked!.data?.operatorError, 'Need more than one instance to switchover');
  assert.is(blocked!.data?.reason, 'TooFewInstances');
  assert.is(blocked!.data?.targetInstance, 'hippo-instance1-hcjs');
  assert.is(blocked!.data?.trigger, 'Wed Nov 25 17:11:44 UTC 2026');
  assert.match(blocked!.message, 'Need more than one instance to switchover');
  assert.match(blocked!.detail, /instances, users, backups and pgBouncer/);
  assert.match(blocked!.remedy, `kubectl patch postgrescluster hippo -n db --type merge -p '{"spec":{"patroni":{"switchover":{"enabled":false}}}}'`);
  assert.match(blocked!.remedy, 'kubectl annotate postgrescluster hippo -n db postgres-operator.crunchydata.com/trigger-switchover-');
  assert.match(blocked!.remedy, 'kubectl pgo heal hippo -n db');

  assert.is(missing!.severity, 'error');
  assert.is(missing!.blockedBy, 'SwitchoverBlocked');
  assert.is(missing!.blocking, true);
  assert.is(missing!.subject, 'StatefulSet/hippo-instance2-k5cc');
  assert.equal(missing!.data, {
    set: 'instance2', desired: 1, observed: 0, missing: 1, reusePvc: 'hippo-instance2-k5cc-pgdata',
    instances: ['hippo-instance2-k5cc'], pvcs: ['hippo-instance2-k5cc-pgdata'],
  });
  assert.match(missing!.message, 'hippo-instance2-k5cc-pgdata');
  assert.match(missing!.detail, 'SwitchoverBlocked');
  assert.is(healthOf(hippo, findings, snap), 'Blocked');
});

// The recorded "healthy" clusters ran without the pgAudit extension: the real PGO said so in a
// Warning Event on each ("Unable to install pgAudit"), so they are not Healthy (issue 13 part 4).
test('recorded healthy cluster (real PGO v5.8.9): no error finding; PGO\'s pgAuditDisabled warning keeps it from Healthy', () => {
  const snap = snapshotFromYaml(recorded('v5.8.9', 'healthy.yaml'));
  assert.is(snap.operator.known, false);
  const findings = runChecks(snap, opts);
  assert.equal(findings.filter((f) => f.severity === 'error'), []);
  const w = findings.filter((f) => f.severity === 'warning');
  assert.equal(w.map((f) => [f.code, f.data?.reason, f.data?.message, f.data?.count]), [['PgoWarningEvent', 'pgAuditDisabled', 'Unable to install pgAudit', 13]]);
  assert.is(healthOf(hippo, findings, snap), 'Degraded');
});

test('recorded healthy cluster (real PGO v6.0.3, API v1): no error finding; the same pgAudit warning', () => {
  const snap = snapshotFromYaml(recorded('v6.0.3', 'healthy.yaml'));
  const findings = runChecks(snap, opts);
  assert.equal(findings.filter((f) => f.severity === 'error'), []);
  assert.equal(findings.filter((f) => f.severity === 'warning').map((f) => f.data?.reason), ['pgAuditDisabled']);
  assert.is(healthOf(hippo, findings, snap), 'Degraded');
});

test('recorded stuck switchover (target already primary): blocked with the patronictl error PGO logs', () => {
  const snap = snapshotFromYaml(recorded('v5.8.9', 'switchover-stuck-target-is-primary.yaml'));
  const findings = runChecks(snap, opts);
  const blocked = findings.find((f) => f.code === 'SwitchoverBlocked');
  assert.ok(blocked);
  assert.is(blocked!.data?.reason, 'TargetIsPrimary');
  assert.is(blocked!.data?.operatorError, 'patronictl switchover --scheduled=now --force --candidate=hippo-instance1-hcjs-0: exit status 1');
  assert.not.ok(findings.some((f) => f.code === 'InstanceMissing'));
  assert.is(healthOf(hippo, findings, snap), 'Blocked');
});

test('the same verdicts through the real --from loader', () => {
  const incident = loadSnapshot(fixture('incident/incident.yaml'), everywhere);
  const fs = runChecks(incident, { ...opts, now: new Date(incident.takenAt) });
  assert.is(fs.find((f) => f.code === 'InstanceMissing')?.blockedBy, 'SwitchoverBlocked');
  assert.is(healthOf(hippo, fs, incident), 'Blocked');
  const healthy = loadSnapshot(recorded('v5.8.9', 'healthy.yaml'), everywhere);
  assert.is(healthy.operator.known, false);
  // Not Healthy: PGO's pgAuditDisabled warning (and whatever the operator's log beside it says).
  assert.is.not(healthOf(hippo, runChecks(healthy, { ...opts, now: new Date(healthy.takenAt) }), healthy), 'Healthy');
});

test('the test helper files objects as the real loader does', () => {
  for (const file of [fixture('incident/incident.yaml'), fixture('clusters/base.yaml')]) {
    const mine = snapshotFromYaml(file);
    const real = loadSnapshot(file, everywhere);
    assert.equal(mine.objects, real.objects, file);
    assert.equal(mine.operator, real.operator, file);
  }
});

test.run();
