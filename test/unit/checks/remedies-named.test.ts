// Every remedy of PGO's-words findings (events, conditions, generation) names the real namespace
// and objects: no <namespace>, no CLUSTER, nothing for a person to fill in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChecks } from '../../../lib/checks/index.ts';
import { KNOWN_CONDITIONS } from '../../../lib/checks/conditions.ts';
import { STOPPING_EVENTS } from '../../../lib/checks/pgo-events.ts';
import type { Finding, KObject, Snapshot } from '../../../lib/model/types.ts';
import { base, hippo, NOW, one, opts, remove } from '../../helpers/check-fixtures.ts';

const PLACEHOLDER = /<[a-zA-Z][\w -]*>|\b(NAMESPACE|CLUSTER|NAME|POD)\b|\.\.\.\s*$|\$\{/m;
const ago = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

function event(kind: string, name: string, reason: string): KObject {
  return {
    kind: 'Event', apiVersion: 'v1', metadata: { name: `${name}.${reason}`, namespace: 'db', uid: `u-${name}-${reason}` },
    involvedObject: { kind, name, namespace: 'db' }, type: 'Warning', reason, message: `${reason} happened`, count: 2,
    firstTimestamp: ago(5), lastTimestamp: ago(1), source: { component: 'postgrescluster-controller' },
  };
}

function scenarios(): Array<[string, Snapshot]> {
  const out: Array<[string, Snapshot]> = [];
  const objects = [['PostgresCluster', 'hippo'], ['StatefulSet', 'hippo-instance1-abcd'], ['Pod', 'hippo-instance1-abcd-0'],
    ['PersistentVolumeClaim', 'hippo-instance1-abcd-pgdata'], ['Job', 'hippo-backup-xyz'], ['ConfigMap', 'hippo-config'], ['Endpoints', 'hippo-ha']];
  for (const reason of [...Object.keys(STOPPING_EVENTS), 'pgAuditDisabled', 'UnableToCreateStanzas', 'SomethingUnheardOf']) {
    for (const [kind, name] of objects) {
      const s = base();
      if (reason === 'InvalidDataSource') delete hippo(s).status.patroni;
      s.objects.events.push(event(kind, name, reason));
      out.push([`${reason} on ${kind}`, s]);
    }
  }
  for (const type of [...Object.keys(KNOWN_CONDITIONS), 'Unheard']) {
    const s = base();
    hippo(s).status.conditions = [{ type, status: 'False', reason: 'Broken', message: 'it broke', lastTransitionTime: ago(60) }];
    out.push([`condition ${type}`, s]);
  }
  for (const paused of [false, true]) {
    const s = base();
    hippo(s).metadata.generation = 4;
    hippo(s).spec.paused = paused;
    (hippo(s).metadata as { managedFields?: unknown }).managedFields = [{ manager: 'kubectl', operation: 'Update', time: ago(10) }];
    out.push([`SpecNotObserved${paused ? ' while paused' : ''}`, s]);
  }
  return out;
}

test('remedies of events, conditions and SpecNotObserved name db/hippo and hold no placeholder', () => {
  let n = 0;
  for (const [name, snap] of scenarios()) {
    const mine = runChecks(snap, opts).filter((f: Finding) => ['PgoReconcileStopped', 'PgoWarningEvent', 'ConditionNotTrue', 'SpecNotObserved'].includes(f.code));
    assert.ok(mine.length > 0, `${name}: a finding`);
    for (const f of mine) {
      assert.not.match(f.remedy, PLACEHOLDER, `${name}: ${f.code} remedy: ${f.remedy}`);
      assert.not.match(f.message, PLACEHOLDER, `${name}: ${f.code} message`);
      assert.match(f.remedy, /-n db\b/, `${name}: ${f.code} names the namespace`);
      assert.match(f.remedy, /hippo/, `${name}: ${f.code} names the cluster or its object`);
      n++;
    }
  }
  assert.ok(n >= 40, `${n} findings checked`);
});

test('InstanceMissing with nothing blocking: the operator\'s log by its real namespace, or found by label - no <operator-namespace>', () => {
  for (const operator of [true, false]) {
    const snap = base({ operator });
    remove(snap, 'statefulSets', 'hippo-instance1-wxyz');
    const f = one(runChecks(snap, opts), 'InstanceMissing');
    assert.not.match(f.remedy, PLACEHOLDER, f.remedy);
    assert.match(f.remedy, operator ? "kubectl logs -n postgres-operator deployment/pgo | grep 'PostgresCluster=db/hippo '" : 'kubectl get pods -A -l postgres-operator.crunchydata.com/control-plane');
  }
});

test.run();
