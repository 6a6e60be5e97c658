// The no-false-Healthy rule on its own: whatever severity a finding was given, a cluster is never
// Healthy while PGO says something is wrong with it (a reconcile error in its log, a current
// Warning Event, a stopping event, or a spec it has not observed). Every combination is tried.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthOf } from '../../../lib/checks/index.ts';
import { pgoSaysWrong } from '../../../lib/checks/no-false-healthy.ts';
import type { Finding, Severity, Snapshot } from '../../../lib/model/types.ts';
import { base, HIPPO } from '../../helpers/check-fixtures.ts';

const OTHER = { namespace: 'db', name: 'rhino' };
const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

function f(code: string, severity: Severity, cluster = HIPPO, data?: Record<string, unknown>): Finding {
  return { code, severity, cluster, subject: `PostgresCluster/${cluster.name}`, message: code, detail: '', remedy: '', ...(data ? { data } : {}) };
}

/** The PGO signals, each as the check emits it and at any severity a later change could give it. */
const SIGNALS: Array<(s: Severity) => Finding> = [
  (s) => f('ReconcileFailing', s),
  (s) => f('PgoReconcileStopped', s),
  (s) => f('SpecNotObserved', s),
  (s) => f('PgoWarningEvent', s, HIPPO, { current: true }),
  (s) => f('PgoWarningEvent', s, HIPPO), // no data: treated as current
];

/** Company the signal may keep: nothing, info findings, another cluster's problems, a gap. */
const BACKGROUNDS: Array<{ name: string; findings: Finding[]; gap: boolean }> = [
  { name: 'alone', findings: [], gap: false },
  { name: 'with info', findings: [f('ClusterShutdown', 'info'), f('ConditionNotTrue', 'info')], gap: false },
  { name: 'with another cluster blocked', findings: [f('SwitchoverBlocked', 'error', OTHER), f('ReconcileFailing', 'error', OTHER)], gap: false },
  { name: 'with a gap', findings: [], gap: true },
  { name: 'with a stale PGO event', findings: [f('PgoWarningEvent', 'info', HIPPO, { current: false })], gap: false },
];

function snapWith(gap: boolean): Snapshot {
  const snap = base();
  if (gap) snap.gaps.push({ resource: 'jobs', verb: 'list', namespace: 'db', status: 403, message: 'forbidden' });
  return snap;
}

test('never Healthy while PGO says something is wrong: every signal x severity x background x pairing', () => {
  let cases = 0;
  for (const bg of BACKGROUNDS) {
    const snap = snapWith(bg.gap);
    for (const make of SIGNALS) {
      for (const sev of SEVERITIES) {
        for (const pair of [undefined, ...SIGNALS.map((m) => m('info'))]) {
          const findings = [...bg.findings, make(sev), ...(pair ? [pair] : [])];
          const h = healthOf(HIPPO, findings, snap);
          assert.is.not(h, 'Healthy', `${bg.name}: ${make(sev).code} (${sev})${pair ? ` + ${pair.code}` : ''}`);
          assert.ok(pgoSaysWrong(HIPPO, findings).length > 0);
          cases++;
        }
      }
    }
  }
  assert.ok(cases >= 400, `${cases} combinations`);
});

test('the rule is about this cluster only: another cluster\'s PGO signals leave it Healthy', () => {
  const snap = base();
  for (const make of SIGNALS) {
    for (const sev of SEVERITIES) {
      const theirs = { ...make(sev), cluster: OTHER };
      assert.is(healthOf(HIPPO, [theirs], snap), 'Healthy', `${theirs.code} ${sev}`);
      assert.equal(pgoSaysWrong(HIPPO, [theirs]), []);
    }
  }
});

test('the rule does not fire on its own: old PGO events and info findings leave a cluster Healthy', () => {
  const snap = base();
  for (const bg of BACKGROUNDS.filter((b) => !b.gap && !b.findings.some((x) => x.severity !== 'info' && x.cluster === HIPPO))) {
    assert.is(healthOf(HIPPO, bg.findings, snap), 'Healthy', bg.name);
  }
});

test('blocking still wins over the rule (Blocked, not Degraded)', () => {
  const snap = base();
  for (const make of SIGNALS) {
    const fs = [make('info'), { ...f('SwitchoverBlocked', 'error'), blocking: true }];
    assert.is(healthOf(HIPPO, fs, snap), 'Blocked');
  }
});

test.run();
