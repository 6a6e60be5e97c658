// A Warning event PGO got past: its own log shows a reconcile of the cluster that succeeded after
// the event (e.g. UnableToCreateStanzas while the repo host was starting). It stays in the report,
// as information, and no longer keeps the cluster from Healthy; one after the last success does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthOf, runChecks } from '../../../lib/checks/index.ts';
import type { KObject, Snapshot } from '../../../lib/model/types.ts';
import { sourceFromText } from '../../../lib/operator-log/source.ts';
import { base, HIPPO, NOW, one, opts } from '../../helpers/check-fixtures.ts';

const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

function stanzaEvent(minutesAgo: number): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'hippo.unabletocreatestanzas', namespace: 'db', uid: 'ev-stanza' },
    involvedObject: { apiVersion: 'postgres-operator.crunchydata.com/v1beta1', kind: 'PostgresCluster', name: 'hippo', namespace: 'db' },
    type: 'Warning',
    reason: 'UnableToCreateStanzas',
    message: 'unable to acquire lock',
    count: 2,
    firstTimestamp: at(minutesAgo + 0.1),
    lastTimestamp: at(minutesAgo),
    source: { component: 'postgrescluster-controller' },
  };
}

/** PGO's debug line for a reconcile of db/hippo that ended without error, `minutesAgo`. */
const reconciled = (minutesAgo: number, id: string) =>
  `time="${at(minutesAgo)}" level=debug msg="reconciled cluster" PostgresCluster=db/hippo controller=postgrescluster controllerGroup=postgres-operator.crunchydata.com controllerKind=PostgresCluster name=hippo namespace=db reconcileID=${id} version=5.8.9`;

function withLog(snap: Snapshot, lines: string[]): Snapshot {
  const window = { sinceSeconds: 900, tailLines: 4096, limitBytes: 4 << 20 };
  snap.operatorLog = { sources: [sourceFromText(`${lines.join('\n')}\n`, { pod: { namespace: 'postgres-operator', name: 'pgo-abc', container: 'operator' }, file: null, window })] };
  return snap;
}

test('a reconcile that succeeded after the event: information, and Healthy is allowed', () => {
  const snap = withLog(base(), [reconciled(1, 'a'), `time="${at(0.5)}" level=info msg="unrelated" version=5.8.9`]);
  snap.objects.events.push(stanzaEvent(3));
  const fs = runChecks(snap, opts);
  const f = one(fs, 'PgoWarningEvent');
  assert.is(f.severity, 'info');
  assert.is(f.data?.current, false);
  assert.match(f.detail, /a reconcile of the cluster that succeeded after it/);
  assert.is(healthOf(HIPPO, fs, snap), 'Healthy');
});

test('no success after the event (or no log at all): still a warning, never Healthy', () => {
  for (const snap of [withLog(base(), [reconciled(5, 'a')]), base()]) {
    snap.objects.events.push(stanzaEvent(3));
    const fs = runChecks(snap, opts);
    const f = one(fs, 'PgoWarningEvent');
    assert.is(f.severity, 'warning');
    assert.is.not(healthOf(HIPPO, fs, snap), 'Healthy');
  }
});

test.run();
