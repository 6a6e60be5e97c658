import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthOf, runChecks } from '../../../lib/checks/index.ts';
import { base, byCode, HIPPO, one, opts } from '../../helpers/check-fixtures.ts';

const operatorCodes = ['OperatorMissing', 'OperatorNotReady', 'OperatorVersionSkew'];

test('operator running, same version as the CRD: silent', () => {
  assert.equal(runChecks(base(), opts).filter((f) => operatorCodes.includes(f.code)), []);
});

test('operator looked for and not found: OperatorMissing blocks every cluster', () => {
  const snap = base();
  snap.operator.deployments = [];
  snap.operator.pods = [];
  const fs = runChecks(snap, opts);
  const f = one(fs, 'OperatorMissing');
  assert.is(f.cluster, null);
  assert.is(f.blocking, true);
  assert.is(healthOf(HIPPO, fs, snap), 'Blocked');
});

test('operator not looked for (a dump without it): nothing said about it', () => {
  const snap = base({ operator: false });
  assert.is(snap.operator.known, false);
  const fs = runChecks(snap, opts);
  assert.equal(fs.filter((f) => operatorCodes.includes(f.code)), []);
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
});

test('operator scaled to 0: OperatorNotReady', () => {
  const snap = base();
  const d = snap.operator.deployments[0];
  d.spec.replicas = 0;
  d.status = { replicas: 0 };
  snap.operator.pods = [];
  const f = one(runChecks(snap, opts), 'OperatorNotReady');
  assert.match(f.message, 'postgres-operator/pgo is scaled to 0');
  assert.match(f.remedy, 'kubectl scale deployment pgo -n postgres-operator --replicas=1');
  assert.is(f.blocking, true);
});

test('operator pod not ready: OperatorNotReady', () => {
  const snap = base();
  snap.operator.deployments[0].status = { replicas: 1, unavailableReplicas: 1 };
  snap.operator.pods[0].status.conditions = [{ type: 'Ready', status: 'False' }];
  assert.match(one(runChecks(snap, opts), 'OperatorNotReady').message, '0 of 1 replicas available');
});

test('operator image older than the CRD: OperatorVersionSkew', () => {
  const snap = base();
  const d = snap.operator.deployments[0];
  delete d.metadata.labels!['app.kubernetes.io/version'];
  d.spec.template.spec.containers[0].image = 'registry.developers.crunchydata.com/crunchydata/postgres-operator:ubi9-5.7.4-0';
  const f = one(runChecks(snap, opts), 'OperatorVersionSkew');
  assert.is(f.severity, 'warning');
  assert.equal([f.data?.operatorVersion, f.data?.crdVersion], ['5.7.4', '5.8.9']);
  // a warning about the operator does not make each cluster Degraded
  assert.is(healthOf(HIPPO, runChecks(snap, opts), snap), 'Healthy');
});

test('CRD version unknown: no skew claimed', () => {
  const snap = base();
  delete snap.pgo.crdVersion;
  snap.operator.deployments[0].metadata.labels!['app.kubernetes.io/version'] = '5.7.4';
  assert.equal(byCode(runChecks(snap, opts), 'OperatorVersionSkew'), []);
});

test.run();
