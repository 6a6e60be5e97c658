// status -o prometheus: checked by a real parser of the format (promtool, from Debian's prometheus
// package, installed by scripts/setup.sh), and the README's alert rule tested by promtool on the
// metrics the incident really produces.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { healthOf, runChecks } from '../../../lib/checks/index.ts';
import { buildStatusReport } from '../../../lib/report/build.ts';
import type { StatusReport } from '../../../lib/report/schema.ts';
import { renderPrometheus } from '../../../lib/render/prometheus.ts';
import { loadSnapshot } from '../../../lib/snapshot/from-file.ts';
import { buildClusterViews } from '../../../lib/view/cluster-view.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RULES = path.join(root, 'test/fixtures/prometheus/alerts.yaml');

function reportOf(file: string): StatusReport {
  const snap = loadSnapshot(path.join(root, file), { allNamespaces: true, namespace: '' });
  const views = buildClusterViews(snap);
  const findings = runChecks(snap, { maxLagBytes: 16 << 20, now: new Date(snap.takenAt) }, views);
  return buildStatusReport({ snapshot: snap, views, findings, health: (r) => healthOf(r, findings, snap), now: new Date(snap.takenAt) });
}

function promtool(args: string[], input?: string) {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool: ${r.error.message} (scripts/setup.sh installs Debian's prometheus package)`);
  return r;
}

/** name{labels} value -> [series, value]; comments skipped. */
function samples(text: string): Array<[string, number]> {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const i = l.lastIndexOf(' ');
    return [l.slice(0, i), Number(l.slice(i + 1))];
  });
}

const incident = () => ({ context: 'prod', report: reportOf('test/fixtures/incident/incident.yaml') });
const healthy = () => ({ context: 'staging "eu"\\1', report: reportOf('test/fixtures/clusters/base.yaml') });

test('promtool parses and lints the metrics of a fleet (quotes and backslashes in labels escaped)', () => {
  const text = renderPrometheus([incident(), healthy(), { context: 'gone', report: null, error: 'unreachable' }]);
  const r = promtool(['check', 'metrics'], text);
  assert.is(r.status, 0, `promtool check metrics: ${r.stdout}${r.stderr}`);
  assert.not.match(text, /\n\n/);
});

test('promtool rejects what is not the format (the check can fail)', () => {
  const r = promtool(['check', 'metrics'], 'kubectl_pgo_cluster_health{context="a} 1\n');
  assert.is.not(r.status, 0);
});

test('the values: health one-hot per cluster, findings per code, contexts up or down, operator unknown in a dump', () => {
  const s = new Map(samples(renderPrometheus([incident(), healthy(), { context: 'gone', report: null }])));
  assert.is(s.get('kubectl_pgo_cluster_health{context="prod",namespace="db",name="hippo",health="Blocked"}'), 1);
  assert.is(s.get('kubectl_pgo_cluster_health{context="prod",namespace="db",name="hippo",health="Healthy"}'), 0);
  assert.is(s.get('kubectl_pgo_cluster_health{context="staging \\"eu\\"\\\\1",namespace="db",name="hippo",health="Healthy"}'), 1);
  assert.is(s.get('kubectl_pgo_findings{context="prod",namespace="db",name="hippo",code="SwitchoverBlocked",severity="error"}'), 1);
  assert.is(s.get('kubectl_pgo_findings{context="prod",namespace="db",name="hippo",code="InstanceMissing",severity="error"}'), 1);
  assert.is(s.get('kubectl_pgo_context_up{context="gone"}'), 0);
  assert.is(s.get('kubectl_pgo_context_up{context="prod"}'), 1);
  assert.is(s.get('kubectl_pgo_clusters{context="prod",health="Blocked"}'), 1);
  assert.is(s.get('kubectl_pgo_report_timestamp_seconds{context="prod"}'), Math.round(Date.parse(incident().report.observedAt) / 1000));
  // A dump without the operator says nothing about it: no operator sample rather than a false 0.
  assert.ok(![...s.keys()].some((k) => k.startsWith('kubectl_pgo_operator_ready{')));
});

test('the operator: ready 1 with all replicas ready, 0 when not', () => {
  const r = incident().report;
  const ready = { ...r, operator: { ...r.operator, known: true, deployment: { namespace: 'postgres-operator', name: 'pgo', desired: 1, ready: 1 } } };
  const down = { ...r, operator: { ...r.operator, known: true, deployment: { namespace: 'postgres-operator', name: 'pgo', desired: 1, ready: 0 } } };
  const missing = { ...r, operator: { ...r.operator, known: true, deployment: null } };
  const s = new Map(samples(renderPrometheus([{ context: 'a', report: ready }, { context: 'b', report: down }, { context: 'c', report: missing }])));
  assert.is(s.get('kubectl_pgo_operator_ready{context="a",namespace="postgres-operator",deployment="pgo"}'), 1);
  assert.is(s.get('kubectl_pgo_operator_ready{context="b",namespace="postgres-operator",deployment="pgo"}'), 0);
  assert.is(s.get('kubectl_pgo_operator_ready{context="c",namespace="",deployment=""}'), 0);
  assert.is(s.get('kubectl_pgo_operator_ready_replicas{context="b",namespace="postgres-operator",deployment="pgo"}'), 0);
});

test('the alert rule fires for the Blocked incident and only for it (promtool test rules)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kpgo-prom-'));
  copyFileSync(RULES, path.join(dir, 'alerts.yaml'));
  assert.is(promtool(['check', 'rules', path.join(dir, 'alerts.yaml')]).status, 0);
  // The series are what the renderer printed for the incident and a healthy cluster, held for 10 minutes.
  const text = renderPrometheus([incident(), { context: 'staging', report: reportOf('test/fixtures/clusters/base.yaml') }]);
  const input = samples(text)
    .filter(([k]) => k.startsWith('kubectl_pgo_cluster_health'))
    .map(([series, v]) => ({ series, values: Array(11).fill(v).join(' ') }));
  const spec = {
    rule_files: ['alerts.yaml'],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: input,
      alert_rule_test: [
        { eval_time: '3m', alertname: 'PostgresClusterBlocked', exp_alerts: [] },
        {
          eval_time: '10m',
          alertname: 'PostgresClusterBlocked',
          exp_alerts: [{
            exp_labels: { severity: 'critical', context: 'prod', namespace: 'db', name: 'hippo', health: 'Blocked' },
            exp_annotations: {
              summary: 'PGO cannot converge db/hippo (context prod)',
              description: 'Why and the fix: kubectl pgo status hippo -n db --context prod',
            },
          }],
        },
      ],
    }],
  };
  writeFileSync(path.join(dir, 'test.yaml'), dump(spec));
  const r = promtool(['test', 'rules', path.join(dir, 'test.yaml')]);
  assert.is(r.status, 0, `promtool test rules: ${r.stdout}${r.stderr}`);
});

test('the README shows the alert rule file as it is', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes(readFileSync(RULES, 'utf8').trimEnd()), 'README "Metrics" must quote test/fixtures/prometheus/alerts.yaml');
});

test.run();
