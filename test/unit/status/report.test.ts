// StatusReport building: every field from the snapshot, the views and the findings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Finding } from '../../../lib/model/types.ts';
import { buildStatusReport, exitCodeOf, sortFindings, reportFinding } from '../../../lib/report/build.ts';
import { gapLine, reportGap } from '../../../lib/report/gaps.ts';
import { renderStatus } from '../../../lib/render/status.ts';
import {
  COMPLETED,
  NOW,
  TRIGGER,
  healthBy,
  incidentFindings,
  incidentReport,
  incidentView,
  laggingView,
  listReport,
  partialReport,
  snapshot,
} from '../../helpers/status-fixtures.ts';

test('envelope: versioned kind, both clocks, source, scope', () => {
  const r = incidentReport({ kind: 'api', context: 'prod', server: 'https://10.0.0.1:6443' });
  assert.is(r.apiVersion, 'kubectl-pgo.crunchy-tools.dev/v1alpha1');
  assert.is(r.kind, 'StatusReport');
  assert.is(r.generatedAt, NOW.toISOString());
  assert.is(r.observedAt, '2026-11-25T17:30:00Z');
  assert.equal(r.source, { kind: 'api', context: 'prod', server: 'https://10.0.0.1:6443' });
  assert.equal(r.scope, { allNamespaces: false, namespace: 'db', cluster: 'hippo' });
});

test('the incident: Blocked, 1 of 2 ready, the orphaned PVC named, switchover Blocked, root cause first', () => {
  const c = incidentReport().clusters[0];
  assert.is(c.health, 'Blocked');
  assert.equal(c.replicas, { desired: 2, observed: 1, ready: 1 });
  assert.equal(c.sets[0], { name: 'instance1', desired: 1, observed: 0, ready: 0, orphanedPvcs: ['hippo-instance1-hcjs-pgdata'] });
  assert.is(c.primary, 'hippo-instance2-x7kq-0');
  assert.is(c.instances[0].role, 'primary');
  assert.equal(c.switchover, {
    state: 'Blocked',
    enabled: true,
    type: 'Switchover',
    targetInstance: 'hippo-instance1-hcjs',
    trigger: TRIGGER,
    completed: COMPLETED,
    pending: true,
  });
  // The checks listed InstanceMissing first; the report puts the finding that blocks it first.
  assert.equal(c.findings.map((f) => f.code), ['SwitchoverBlocked', 'InstanceMissing']);
  assert.equal(c.findings[1].blockedBy, 'SwitchoverBlocked');
  assert.is(c.findings[0].blockedBy, null);
  assert.is(c.findings[0].blocking, true);
  assert.equal(c.findings[1].data, { set: 'instance1', missing: 1, reusePvc: 'hippo-instance1-hcjs-pgdata' });
  assert.equal(c.backups.latestJob, { name: 'hippo-backup-8xzq', state: 'Succeeded', startedAt: '2026-11-25T17:00:00Z', ageSeconds: 1800 });
  assert.equal(c.backups.repos, [{ name: 'repo1', stanzaCreated: true }]);
  assert.equal(c.backups.repoHost, { name: 'hippo-repo-host', ready: true });
  assert.is(c.ageSeconds, 1948);
  assert.equal(c.unknown, []);
});

test('summary and exit code: 2 with an error finding, 0 with only warnings', () => {
  const r = listReport();
  assert.equal(r.summary, { clusters: 3, healthy: 1, degraded: 1, blocked: 1, unknown: 0, errors: 2, warnings: 1, infos: 0 });
  assert.is(exitCodeOf(r), 2);
  const lagOnly = buildStatusReport({
    snapshot: snapshot([laggingView().object]),
    views: [laggingView()],
    findings: [{ ...incidentFindings[0], cluster: { namespace: 'db', name: 'lagging' }, severity: 'warning' }],
    health: healthBy({ 'db/lagging': 'Degraded' }),
    now: NOW,
  });
  assert.is(exitCodeOf(lagOnly), 0);
  assert.is(exitCodeOf(partialReport()), 0);
});

test('clusters sorted by namespace then name; findings stay with their cluster', () => {
  const r = listReport();
  assert.equal(r.clusters.map((c) => `${c.namespace}/${c.name}`), ['apps/orders', 'db/hippo', 'db/lagging']);
  assert.equal(r.clusters.map((c) => c.findings.length), [0, 2, 1]);
  assert.equal(r.clusters[0].pgBouncer, { configured: true, deployment: 'orders-pgbouncer', desired: 2, ready: 2 });
});

test('switchover states', () => {
  const state = (sw: Partial<ReturnType<typeof incidentView>['switchover']>, findings: Finding[] = []) => {
    const v = incidentView();
    v.switchover = { ...v.switchover, ...sw };
    return buildStatusReport({ snapshot: snapshot([v.object]), views: [v], findings, health: () => 'Healthy', now: NOW }).clusters[0].switchover.state;
  };
  assert.is(state({ enabled: false, pending: false }), 'Off');
  assert.is(state({ enabled: true, trigger: undefined, pending: false }), 'Armed');
  assert.is(state({ enabled: true, pending: true }), 'Pending');
  assert.is(state({ enabled: true, pending: true }, incidentFindings), 'Blocked');
  assert.is(state({ enabled: true, trigger: TRIGGER, completed: TRIGGER, pending: false }), 'LeftEnabled');
});

test('a forbidden pods list makes readiness, role, primary and restarts unknown (null), not false', () => {
  const c = partialReport().clusters[0];
  assert.equal(c.unknown, ['pods']);
  assert.equal(c.replicas, { desired: 2, observed: 2, ready: null });
  assert.is(c.primary, null);
  for (const i of c.instances) {
    assert.is(i.ready, null);
    assert.is(i.role, null);
    assert.is(i.restarts, null);
  }
  assert.is(c.leader, 'orders-00-aaaa-0', 'endpoints were readable');
});

test('gaps: permission with its API group, namespace or cluster scope, reason from the status', () => {
  assert.is(
    gapLine(reportGap({ resource: 'statefulsets', verb: 'list', namespace: 'db', status: 403, message: 'x' })),
    'Warning: cannot list statefulsets in namespace "db": forbidden (ask for: list statefulsets.apps)',
  );
  assert.is(
    gapLine(reportGap({ resource: 'deployments', verb: 'list', status: 403, message: 'x' })),
    'Warning: cannot list deployments at the cluster scope: forbidden (ask for: list deployments.apps)',
  );
  assert.is(
    gapLine(reportGap({ resource: 'jobs', verb: 'list', namespace: 'db', message: 'connect ECONNREFUSED 127.0.0.1:6443\nmore' })),
    'Warning: cannot list jobs in namespace "db": connect ECONNREFUSED 127.0.0.1:6443 (ask for: list jobs.batch)',
  );
  // A gap in another namespace does not touch this cluster.
  const v = incidentView();
  const r = buildStatusReport({
    snapshot: snapshot([v.object], { gaps: [{ resource: 'pods', verb: 'list', namespace: 'other', status: 403, message: '' }] }),
    views: [v],
    findings: [],
    health: () => 'Healthy',
    now: NOW,
  });
  assert.equal(r.clusters[0].unknown, []);
  assert.is(r.clusters[0].replicas.ready, 1);
});

test('operator: version from its label, readiness; operator findings counted and shown in the list', () => {
  const v = incidentView();
  const missing: Finding = {
    code: 'OperatorMissing',
    severity: 'error',
    cluster: null,
    subject: 'Deployment/pgo',
    message: 'No PGO operator Deployment found in any namespace',
    detail: 'Nothing reconciles PostgresClusters.',
    remedy: 'kubectl get deploy -A -l postgres-operator.crunchydata.com/control-plane',
    blocking: true,
  };
  const r = buildStatusReport({ snapshot: snapshot([v.object], { operator: [] }), views: [v], findings: [missing], health: () => 'Blocked', now: NOW });
  assert.is(r.operator.deployment, null);
  assert.is(r.operator.findings[0].code, 'OperatorMissing');
  assert.equal(r.clusters[0].findings, []);
  assert.is(r.summary.errors, 1);
  assert.is(exitCodeOf(r), 2);
  const out = renderStatus(r, { format: 'table', color: false }).stdout;
  assert.ok(out.includes('\nOperator:\n  ERROR   OperatorMissing  Deployment/pgo  (blocks PGO)\n      No PGO operator Deployment found in any namespace\n'), out);
  assert.ok(out.includes('        kubectl get deploy -A -l postgres-operator.crunchydata.com/control-plane\n'));
  assert.ok(out.startsWith('NAMESPACE   NAME    HEALTH    INSTANCES   PRIMARY                  AGE   FINDING\ndb          hippo   Blocked   1/2         hippo-instance2-x7kq-0   32m\n'), out);
  assert.match(renderStatus(r, { format: 'wide', color: false }).stdout, /hippo   Blocked   1\/2         hippo-instance2-x7kq-0   Pending      missing    32m/);

  const known = listReport().operator;
  assert.equal(known.deployment, { namespace: 'postgres-operator', name: 'pgo', desired: 1, ready: 1 });
  assert.is(known.version, '5.8.9');
  const unknown = buildStatusReport({ snapshot: snapshot([v.object], { operator: null }), views: [v], findings: [], health: () => 'Healthy', now: NOW }).operator;
  assert.is(unknown.known, false);
});

test('findings: most severe first, roots before what they block, stable otherwise; schema fields always present', () => {
  const f = (code: string, severity: Finding['severity'], extra: Partial<Finding> = {}): Finding => ({
    code,
    severity,
    cluster: null,
    subject: 's',
    message: 'm',
    detail: 'd',
    remedy: 'r',
    ...extra,
  });
  const sorted = sortFindings([f('Info1', 'info'), f('Warn1', 'warning'), f('ErrBlocked', 'error', { blockedBy: 'ErrRoot' }), f('ErrRoot', 'error', { blocking: true }), f('Err2', 'error')].map(reportFinding));
  assert.equal(sorted.map((x) => x.code), ['ErrRoot', 'Err2', 'ErrBlocked', 'Warn1', 'Info1']);
  assert.equal(Object.keys(reportFinding(f('X', 'info'))), ['code', 'severity', 'subject', 'message', 'detail', 'remedy', 'blocking', 'blockedBy']);
});

test('a finding of no cluster that is not about the operator: top-level findings, listed apart, counted', () => {
  const v = incidentView();
  const denied: Finding = {
    code: 'PermissionDenied',
    severity: 'info',
    cluster: null,
    subject: 'deployments',
    message: 'Cannot list deployments at cluster scope: forbidden',
    detail: 'The operator is looked for in every namespace.',
    remedy: 'kubectl auth can-i list deployments --all-namespaces',
  };
  const r = buildStatusReport({ snapshot: snapshot([v.object]), views: [v], findings: [denied], health: () => 'Healthy', now: NOW });
  assert.equal(r.operator.findings, []);
  assert.equal(r.findings.map((f) => f.code), ['PermissionDenied']);
  assert.is(r.summary.infos, 1);
  assert.is(exitCodeOf(r), 0);
  const list = renderStatus(r, { format: 'table', color: false }).stdout;
  assert.ok(list.endsWith('\nNot about one cluster:\n  INFO    PermissionDenied  deployments\n      Cannot list deployments at cluster scope: forbidden\n      Why: The operator is looked for in every namespace.\n      Fix:\n        kubectl auth can-i list deployments --all-namespaces\n'), list);
  r.scope.cluster = 'hippo';
  const detail = renderStatus(r, { format: 'table', color: false }).stdout;
  assert.match(detail, /^Findings \(0 errors, 0 warnings, 1 info\):\n {2}INFO {4}PermissionDenied/m);
});

test('pods unknown from a cluster-wide gap too', () => {
  const v = incidentView();
  const r = buildStatusReport({
    snapshot: snapshot([v.object], { gaps: [{ resource: 'pods', verb: 'list', status: 403, message: '' }] }),
    views: [v],
    findings: [],
    health: () => 'Unknown',
    now: NOW,
  });
  assert.equal(r.clusters[0].unknown, ['pods']);
  assert.is(r.clusters[0].primary, null);
});


test('the same missing permission from two lists is one gap', () => {
  const v = incidentView();
  const pods = { resource: 'pods', verb: 'list', status: 403, message: 'forbidden' };
  const r = buildStatusReport({
    snapshot: snapshot([v.object], { gaps: [pods, { ...pods }, { ...pods, namespace: 'db' }] }),
    views: [v],
    findings: [],
    health: () => 'Unknown',
    now: NOW,
  });
  assert.equal(r.gaps.map((g) => `${g.verb} ${g.resource} ${g.namespace}`), ['list pods null', 'list pods db']);
});

test.run();
