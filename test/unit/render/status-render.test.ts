// Renderers compared whole, per format, piped (no colour) and on a TTY (colour).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { load } from 'js-yaml';
import { renderStatus } from '../../../lib/render/status.ts';
import { STATUS_REPORT_API_VERSION } from '../../../lib/report/schema.ts';
import { DISABLE_CMD, DROP_TRIGGER_CMD, incidentReport, listReport, partialReport } from '../../helpers/status-fixtures.ts';

const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
const green = (s: string) => `\x1b[32m${s}\x1b[39m`;
const yellow = (s: string) => `\x1b[33m${s}\x1b[39m`;
const cyan = (s: string) => `\x1b[36m${s}\x1b[39m`;
const bold = (s: string) => `\x1b[1m${s}\x1b[22m`;

const LIST_PIPED = `NAMESPACE   NAME      HEALTH     INSTANCES   PRIMARY                  AGE     FINDING
apps        orders    Healthy    2/2         orders-pgha1-abcd-0      4d8h
db          hippo     Blocked    1/2         hippo-instance2-x7kq-0   32m     SwitchoverBlocked: Switchover to hippo-instance1-hcjs requested ("Wed Nov 25 17:11:44 UT... (+1 more)
db          lagging   Degraded   2/2         lagging-00-aaaa-0        5h30m   ReplicationLag: Replica lagging-00-bbbb-0 is 48 MiB behind the leader (threshold 16 MiB)
`;

test('list, piped: one line per cluster, no colour, most severe finding first', () => {
  const r = renderStatus(listReport(), { format: 'table', color: false });
  assert.is(r.stdout, LIST_PIPED);
  assert.is(r.stderr, '');
  assert.not.match(r.stdout, /\x1b\[/);
});

test('list, TTY: the same columns, health and finding codes coloured, alignment by visible width', () => {
  const r = renderStatus(listReport(), { format: 'table', color: true });
  const expected = `NAMESPACE   NAME      HEALTH     INSTANCES   PRIMARY                  AGE     FINDING
apps        orders    ${green('Healthy')}    2/2         orders-pgha1-abcd-0      4d8h
db          hippo     ${red('Blocked')}    1/2         hippo-instance2-x7kq-0   32m     ${red('SwitchoverBlocked')}: Switchover to hippo-instance1-hcjs requested ("Wed Nov 25 17:11:44 UT... (+1 more)
db          lagging   ${yellow('Degraded')}   2/2         lagging-00-aaaa-0        5h30m   ${yellow('ReplicationLag')}: Replica lagging-00-bbbb-0 is 48 MiB behind the leader (threshold 16 MiB)
`;
  assert.is(r.stdout, expected);
  // Stripped of colour it is exactly the piped output.
  assert.is(r.stdout.replace(/\x1b\[\d+m/g, ''), LIST_PIPED);
});

test('list -o wide: switchover state, operator, every finding code, the full message', () => {
  const r = renderStatus(listReport(), { format: 'wide', color: false });
  assert.is(
    r.stdout,
    `NAMESPACE   NAME      HEALTH     INSTANCES   PRIMARY                  SWITCHOVER   OPERATOR   AGE     FINDINGS                            FINDING
apps        orders    Healthy    2/2         orders-pgha1-abcd-0      Off          5.8.9      4d8h    <none>
db          hippo     Blocked    1/2         hippo-instance2-x7kq-0   Blocked      5.8.9      32m     SwitchoverBlocked,InstanceMissing   SwitchoverBlocked: Switchover to hippo-instance1-hcjs requested ("Wed Nov 25 17:11:44 UTC 2026") but only 1 instance is observed (+1 more)
db          lagging   Degraded   2/2         lagging-00-aaaa-0        Off          5.8.9      5h30m   ReplicationLag                      ReplicationLag: Replica lagging-00-bbbb-0 is 48 MiB behind the leader (threshold 16 MiB)
`,
  );
});

const INCIDENT_FINDINGS = (c: { red: (s: string) => string; bold: (s: string) => string }) => `${c.bold('Findings (2 errors, 0 warnings):')}
  ${c.red('ERROR  ')} ${c.red('SwitchoverBlocked')}  PostgresCluster/hippo  (blocks PGO)
      Switchover to hippo-instance1-hcjs requested ("Wed Nov 25 17:11:44 UTC 2026") but only 1 instance is observed
      Why: PGO runs the switchover step before it creates missing instances. It fails with "Need more than one instance to switchover",
           and every later step (instances, users, backups, pgBouncer) is skipped.
      Fix:
        Disable the switchover and drop its trigger:
        ${DISABLE_CMD}
        ${DROP_TRIGGER_CMD}

  ${c.red('ERROR  ')} ${c.red('InstanceMissing')}  PostgresCluster/hippo  (blocked by SwitchoverBlocked)
      Instance set instance1 has 0 of 1 instance StatefulSets; pgdata PVC hippo-instance1-hcjs-pgdata is waiting to be reused
      Why: PGO would recreate StatefulSet hippo-instance1-hcjs on its old volume, but the switchover step fails first in every reconcile.
      Fix:
        Fix SwitchoverBlocked; PGO then recreates the instance by itself.
`;

const INCIDENT_DETAIL = (c: { red: (s: string) => string; bold: (s: string) => string }) => `Name:        hippo
Namespace:   db
Health:      ${c.red('Blocked')} (PGO cannot converge by itself: SwitchoverBlocked)
Instances:   1/2 ready (1 StatefulSet)
Primary:     hippo-instance2-x7kq-0
Leader:      hippo-instance2-x7kq-0
Age:         32m
API version: postgres-operator.crunchydata.com/v1beta1
Operator:    5.8.9

${c.bold('Instances:')}
  SET         POD                                                   ROLE      READY   NODE     TIMELINE   LAG   RESTARTS
  instance1   <missing> (pgdata hippo-instance1-hcjs-pgdata kept)   -         false   -        -          -     -
  instance2   hippo-instance2-x7kq-0                                primary   true    node-b   4          -     0

${c.bold('Switchover:')}
  State:          Blocked
  Enabled:        true
  Type:           Switchover
  Target:         hippo-instance1-hcjs
  Requested:      "Wed Nov 25 17:11:44 UTC 2026" (trigger-switchover annotation)
  Last completed: "Wed Nov 25 17:11:18 UTC 2026"

${c.bold('Backups:')}
  Repos:       repo1
  Repo host:   hippo-repo-host (ready)
  Last backup: hippo-backup-8xzq Succeeded, started 30m ago

${c.bold('pgBouncer:')} Not configured

${INCIDENT_FINDINGS(c)}`;

const plain = { red: (s: string) => s, bold: (s: string) => s };

test('detail of the incident, piped: instances with the missing one, switchover, backups, findings with pasteable remedies', () => {
  const r = renderStatus(incidentReport(), { format: 'table', color: false });
  assert.is(r.stdout, INCIDENT_DETAIL(plain));
  assert.is(r.stderr, '');
  // The remedy commands stand alone on their lines, so they can be copied as they are.
  const lines = r.stdout.split('\n').map((l) => l.trim());
  assert.ok(lines.includes(DISABLE_CMD));
  assert.ok(lines.includes(DROP_TRIGGER_CMD));
});

test('detail of the incident, TTY: coloured health, severities and headings; remedy lines never coloured', () => {
  const r = renderStatus(incidentReport(), { format: 'table', color: true });
  assert.is(r.stdout, INCIDENT_DETAIL({ red, bold }));
  for (const line of r.stdout.split('\n').filter((l) => l.includes('kubectl '))) assert.not.match(line, /\x1b\[/);
});

test('-o wide with a name is the same detailed view', () => {
  assert.is(renderStatus(incidentReport(), { format: 'wide', color: false }).stdout, INCIDENT_DETAIL(plain));
});

test('partial report (pods forbidden): affected parts Unknown, the rest printed, one warning line per gap on stderr', () => {
  const r = renderStatus(partialReport(), { format: 'table', color: false });
  assert.is(
    r.stdout,
    `NAME     HEALTH    INSTANCES   PRIMARY     AGE   FINDING
orders   Unknown   ?/2         <unknown>   24h   cannot read pods
`,
  );
  assert.is(r.stderr, 'Warning: cannot list pods in namespace "db": forbidden (ask for: list pods)\n');
  const tty = renderStatus(partialReport(), { format: 'table', color: true });
  assert.is(
    tty.stdout,
    `NAME     HEALTH    INSTANCES   PRIMARY     AGE   FINDING
orders   ${cyan('Unknown')}   ?/2         <unknown>   24h   cannot read pods
`,
  );
});

test('partial report, detail view: Unknown where pods matter, known facts still shown', () => {
  const report = partialReport();
  report.scope.cluster = 'orders';
  const r = renderStatus(report, { format: 'table', color: false });
  assert.is(
    r.stdout,
    `Name:         orders
Namespace:    db
Health:       Unknown (cannot read pods)
Instances:    ?/2 ready (2 StatefulSets; pods not readable)
Primary:      <unknown>
Leader:       orders-00-aaaa-0
Not readable: pods (see the warnings at the end)
Age:          24h
API version:  postgres-operator.crunchydata.com/v1beta1
Operator:     5.8.9

Instances:
  SET   POD                ROLE      READY     NODE   TIMELINE   LAG   RESTARTS
  00    orders-00-aaaa-0   Unknown   Unknown   -      -          -     Unknown
  00    orders-00-bbbb-0   Unknown   Unknown   -      -          -     Unknown

Switchover:
  State: Off

Backups:
  Not configured

pgBouncer: Not configured

Findings (0 errors, 0 warnings): none in what could be read
`,
  );
  assert.is(r.stderr, 'Warning: cannot list pods in namespace "db": forbidden (ask for: list pods)\n');
});

test('-o json is the report itself: parses back to the same object, no colour even when asked', () => {
  const report = incidentReport();
  const r = renderStatus(report, { format: 'json', color: true });
  assert.not.match(r.stdout, /\x1b\[/);
  assert.equal(JSON.parse(r.stdout), JSON.parse(JSON.stringify(report)));
  const parsed = JSON.parse(r.stdout);
  assert.is(parsed.apiVersion, STATUS_REPORT_API_VERSION);
  assert.is(parsed.kind, 'StatusReport');
  assert.is(parsed.clusters[0].health, 'Blocked');
  assert.equal(parsed.clusters[0].findings.map((f: { code: string }) => f.code), ['SwitchoverBlocked', 'InstanceMissing']);
  assert.is(r.stdout.endsWith('}\n'), true);
});

test('-o yaml is the same report; long remedies are not folded', () => {
  const report = incidentReport();
  const r = renderStatus(report, { format: 'yaml', color: true });
  assert.not.match(r.stdout, /\x1b\[/);
  assert.equal(load(r.stdout), JSON.parse(JSON.stringify(report)));
  assert.ok(r.stdout.split('\n').some((l) => l.trim() === DISABLE_CMD));
});

test('machine formats keep gap warnings off stdout', () => {
  for (const format of ['json', 'yaml'] as const) {
    const r = renderStatus(partialReport(), { format, color: false });
    assert.not.match(r.stdout, /Warning:/);
    assert.is(r.stderr, 'Warning: cannot list pods in namespace "db": forbidden (ask for: list pods)\n');
  }
});

test('no clusters: nothing on stdout, a kubectl-style note on stderr', () => {
  const report = partialReport();
  report.clusters = [];
  report.gaps = [];
  assert.equal(renderStatus(report, { format: 'table', color: false }), { stdout: '', stderr: 'No PostgresClusters found in namespace "db".\n' });
  report.scope.allNamespaces = true;
  assert.equal(renderStatus(report, { format: 'table', color: false }), { stdout: '', stderr: 'No PostgresClusters found.\n' });
});

test.run();
