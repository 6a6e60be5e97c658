import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stateDiff } from '../../../lib/diff/state-diff.ts';
import { renderStateDiffs } from '../../../lib/diff/render.ts';
import { buildClusterViews } from '../../../lib/view/cluster-view.ts';
import { runChecks } from '../../../lib/checks/index.ts';
import { base, opts, remove, hippo } from '../../helpers/check-fixtures.ts';
import { fixture, snapshotFromYaml } from '../../helpers/snapshot-from-yaml.ts';
import type { Snapshot } from '../../../lib/model/types.ts';

function diffOf(snap: Snapshot) {
  const findings = runChecks(snap, opts);
  return stateDiff(buildClusterViews(snap)[0], findings);
}

test('a healthy cluster has no differences', () => {
  const d = diffOf(base());
  assert.equal(d.differences, []);
  assert.match(renderStateDiffs([d], false), /no differences/);
});

test('the incident: missing instance tied to InstanceMissing, blocked by the switchover', () => {
  const snap = snapshotFromYaml([fixture('incident/incident.yaml')], { takenAt: opts.now.toISOString() });
  const d = diffOf(snap);
  const inst = d.differences.find((x) => x.aspect === 'instance set instance2');
  assert.ok(inst, 'a difference for instance2');
  assert.is(inst!.finding, 'InstanceMissing');
  assert.is(inst!.convergence, 'blocked');
  assert.match(inst!.because, /SwitchoverBlocked/);
  assert.match(inst!.actual, /hippo-instance2-k5cc-pgdata/);
  const sw = d.differences.find((x) => x.aspect === 'switchover');
  assert.is(sw!.finding, 'SwitchoverBlocked');
  assert.match(sw!.because, /Need more than one instance to switchover/);
  const text = renderStateDiffs([d], false);
  assert.match(text, /^\+ instances: 1 StatefulSet$/m);
  assert.match(text, /^- instances: 0 \(none\); PVC to reuse: hippo-instance2-k5cc-pgdata$/m);
  assert.match(text, /PGO will NOT converge: blocked by SwitchoverBlocked/);
});

test('a missing instance with nothing in the way converges by itself', () => {
  const snap = base();
  const sts = snap.objects.statefulSets.find((s) => s.metadata.labels?.['postgres-operator.crunchydata.com/role'] === undefined && s.metadata.labels?.['postgres-operator.crunchydata.com/instance'])!;
  const podName = `${sts.metadata.name}-0`;
  remove(snap, 'statefulSets', sts.metadata.name);
  remove(snap, 'pods', podName);
  const d = diffOf(snap);
  const inst = d.differences.find((x) => x.field === 'instances');
  assert.ok(inst);
  assert.is(inst!.convergence, 'converging');
});

test('paused shows as needing a person', () => {
  const snap = base();
  hippo(snap).spec.paused = true;
  const d = diffOf(snap);
  const p = d.differences.find((x) => x.aspect === 'reconcile');
  assert.is(p!.convergence, 'not-by-itself');
  assert.is(p!.finding, 'ReconcilePaused');
});

test.run();
