// Hand-made snapshots, cluster views and findings for the status report and renderer tests.
// They do not go through lib/view or lib/checks on purpose: the renderers are tested on their own.
import type { ClusterRef, Finding, Gap, Health, KObject, Snapshot } from '../../lib/model/types.ts';
import { LABEL } from '../../lib/model/types.ts';
import { buildStatusReport } from '../../lib/report/build.ts';
import type { StatusReport } from '../../lib/report/schema.ts';
import type { ClusterView, InstanceSetView, InstanceView, SwitchoverView } from '../../lib/view/cluster-view.ts';

export const TAKEN_AT = '2026-11-25T17:30:00Z';
export const NOW = new Date('2026-11-25T17:30:05Z');
const API = 'postgres-operator.crunchydata.com/v1beta1';

export function pgc(ns: string, name: string, created: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KObject {
  return { apiVersion: API, kind: 'PostgresCluster', metadata: { namespace: ns, name, creationTimestamp: created }, spec, status };
}

function obj(kind: string, ns: string, name: string, extra: Partial<KObject> = {}): KObject {
  return { kind, metadata: { namespace: ns, name }, ...extra };
}

export function instance(
  ns: string,
  set: string,
  name: string,
  o: { role?: 'master' | 'replica'; ready?: boolean; node?: string; timeline?: number; lag?: number; restarts?: number; pod?: boolean; sts?: boolean } = {},
): InstanceView {
  const hasPod = o.pod !== false;
  return {
    name,
    set,
    statefulSet: o.sts === false ? undefined : obj('StatefulSet', ns, name),
    pod: hasPod ? obj('Pod', ns, `${name}-0`, { spec: { nodeName: o.node }, status: { phase: 'Running' } }) : undefined,
    pgdata: obj('PersistentVolumeClaim', ns, `${name}-pgdata`),
    role: hasPod ? o.role : undefined,
    ready: hasPod ? (o.ready ?? true) : false,
    phase: hasPod ? 'Running' : undefined,
    node: hasPod ? o.node : undefined,
    timeline: o.timeline,
    memberState: hasPod ? 'running' : undefined,
    lagBytes: o.lag,
    restarts: o.restarts ?? 0,
  };
}

export function set(name: string, desired: number, instances: InstanceView[], orphanedPvcs: string[] = [], ns = 'db'): InstanceSetView {
  return { name, desiredReplicas: desired, instances, orphanedPvcs: orphanedPvcs.map((p) => obj('PersistentVolumeClaim', ns, p)) };
}

const noSwitchover: SwitchoverView = { enabled: false, type: 'Switchover', pending: false };

export function view(object: KObject, sets: InstanceSetView[], extra: Partial<ClusterView> = {}): ClusterView {
  const instances = sets.flatMap((s) => s.instances);
  return {
    namespace: object.metadata.namespace!,
    name: object.metadata.name,
    apiVersion: API,
    object,
    sets,
    instances,
    orphanedInstances: [],
    switchover: noSwitchover,
    paused: false,
    shutdown: false,
    leader: instances.find((i) => i.role === 'master')?.pod?.metadata.name,
    backupJobs: [],
    events: [],
    services: [],
    ...extra,
  };
}

export const operatorDeployment: KObject = {
  kind: 'Deployment',
  metadata: { namespace: 'postgres-operator', name: 'pgo', labels: { 'app.kubernetes.io/version': '5.8.9' } },
  spec: { replicas: 1, template: { spec: { containers: [{ image: 'registry.developers.crunchydata.com/crunchydata/postgres-operator:ubi9-5.8.9-0' }] } } },
  status: { readyReplicas: 1 },
};

export function snapshot(clusters: KObject[], o: { gaps?: Gap[]; scope?: Snapshot['scope']; operator?: KObject[] | null; source?: Snapshot['source'] } = {}): Snapshot {
  return {
    schemaVersion: 1,
    takenAt: TAKEN_AT,
    source: o.source ?? { kind: 'api', context: 'prod', server: 'https://10.0.0.1:6443' },
    scope: o.scope ?? { allNamespaces: true },
    pgo: { apiVersions: ['v1beta1'], crdVersion: '5.8.9' },
    operator: o.operator === null ? { known: false, deployments: [], pods: [] } : { known: true, deployments: o.operator ?? [operatorDeployment], pods: [] },
    objects: { postgresClusters: clusters, statefulSets: [], pods: [], pvcs: [], endpoints: [], services: [], deployments: [], jobs: [], events: [] },
    gaps: o.gaps ?? [],
  };
}

// ---- the incident: a switchover to an instance whose StatefulSet was deleted -----------------

export const TRIGGER = 'Wed Nov 25 17:11:44 UTC 2026';
export const COMPLETED = 'Wed Nov 25 17:11:18 UTC 2026';
const HIPPO: ClusterRef = { namespace: 'db', name: 'hippo' };

export const DISABLE_CMD = `kubectl patch postgrescluster hippo -n db --type merge -p '{"spec":{"patroni":{"switchover":{"enabled":false}}}}'`;
export const DROP_TRIGGER_CMD = `kubectl annotate postgrescluster hippo -n db ${LABEL.triggerSwitchover}-`;

export const incidentFindings: Finding[] = [
  {
    code: 'InstanceMissing',
    severity: 'error',
    cluster: HIPPO,
    subject: 'PostgresCluster/hippo',
    message: 'Instance set instance1 has 0 of 1 instance StatefulSets; pgdata PVC hippo-instance1-hcjs-pgdata is waiting to be reused',
    detail: 'PGO would recreate StatefulSet hippo-instance1-hcjs on its old volume, but the switchover step fails first in every reconcile.',
    remedy: 'Fix SwitchoverBlocked; PGO then recreates the instance by itself.',
    blocking: false,
    blockedBy: 'SwitchoverBlocked',
    data: { set: 'instance1', missing: 1, reusePvc: 'hippo-instance1-hcjs-pgdata' },
  },
  {
    code: 'SwitchoverBlocked',
    severity: 'error',
    cluster: HIPPO,
    subject: 'PostgresCluster/hippo',
    message: `Switchover to hippo-instance1-hcjs requested ("${TRIGGER}") but only 1 instance is observed`,
    detail:
      'PGO runs the switchover step before it creates missing instances. It fails with "Need more than one instance to switchover",\nand every later step (instances, users, backups, pgBouncer) is skipped.',
    remedy: `Disable the switchover and drop its trigger:\n${DISABLE_CMD}\n${DROP_TRIGGER_CMD}`,
    blocking: true,
  },
];

export function incidentView(): ClusterView {
  const object = pgc(
    'db',
    'hippo',
    '2026-11-25T16:57:32Z',
    {
      instances: [
        { name: 'instance1', replicas: 1 },
        { name: 'instance2', replicas: 1 },
      ],
      backups: { pgbackrest: { repos: [{ name: 'repo1' }] } },
      patroni: { switchover: { enabled: true, targetInstance: 'hippo-instance1-hcjs', type: 'Switchover' } },
    },
    { pgbackrest: { repos: [{ name: 'repo1', stanzaCreated: true }] }, patroni: { switchover: COMPLETED } },
  );
  return view(
    object,
    [
      set('instance1', 1, [], ['hippo-instance1-hcjs-pgdata']),
      set('instance2', 1, [instance('db', 'instance2', 'hippo-instance2-x7kq', { role: 'master', node: 'node-b', timeline: 4, lag: 0 })]),
    ],
    {
      switchover: { enabled: true, type: 'Switchover', targetInstance: 'hippo-instance1-hcjs', trigger: TRIGGER, completed: COMPLETED, pending: true },
      repoHost: { kind: 'StatefulSet', metadata: { namespace: 'db', name: 'hippo-repo-host' }, spec: { replicas: 1 }, status: { readyReplicas: 1 } },
      backupJobs: [
        {
          kind: 'Job',
          metadata: { namespace: 'db', name: 'hippo-backup-8xzq', creationTimestamp: '2026-11-25T17:00:00Z' },
          status: { startTime: '2026-11-25T17:00:00Z', succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
        },
      ],
    },
  );
}

// ---- two more clusters for the list: a healthy one and a lagging one -------------------------

export function healthyView(): ClusterView {
  return view(pgc('apps', 'orders', '2026-11-21T09:30:00Z', { proxy: { pgBouncer: { replicas: 2 } } }), [
    set(
      'pgha1',
      2,
      [
        instance('apps', 'pgha1', 'orders-pgha1-abcd', { role: 'master', node: 'node-a', timeline: 2, lag: 0 }),
        instance('apps', 'pgha1', 'orders-pgha1-efgh', { role: 'replica', node: 'node-c', timeline: 2, lag: 0, restarts: 1 }),
      ],
      [],
      'apps',
    ),
  ], {
    pgBouncer: { kind: 'Deployment', metadata: { namespace: 'apps', name: 'orders-pgbouncer' }, spec: { replicas: 2 }, status: { readyReplicas: 2 } },
  });
}

export const lagFinding: Finding = {
  code: 'ReplicationLag',
  severity: 'warning',
  cluster: { namespace: 'db', name: 'lagging' },
  subject: 'Pod/lagging-00-bbbb-0',
  message: 'Replica lagging-00-bbbb-0 is 48 MiB behind the leader (threshold 16 MiB)',
  detail: 'Computed from Patroni\'s member status and the leader optime in lagging-ha.',
  remedy: 'kubectl logs lagging-00-bbbb-0 -n db -c database --tail 100',
};

export function laggingView(): ClusterView {
  return view(pgc('db', 'lagging', '2026-11-25T12:00:00Z'), [
    set('00', 2, [
      instance('db', '00', 'lagging-00-aaaa', { role: 'master', node: 'node-a', timeline: 1, lag: 0 }),
      instance('db', '00', 'lagging-00-bbbb', { role: 'replica', node: 'node-b', timeline: 1, lag: 48 * 1024 * 1024 }),
    ]),
  ]);
}

export function healthBy(map: Record<string, Health>) {
  return (ref: ClusterRef): Health => map[`${ref.namespace}/${ref.name}`] ?? 'Unknown';
}

/** -A over the three clusters. */
export function listReport(): StatusReport {
  const views = [incidentView(), healthyView(), laggingView()];
  return buildStatusReport({
    snapshot: snapshot(views.map((v) => v.object)),
    views,
    findings: [...incidentFindings, lagFinding],
    health: healthBy({ 'db/hippo': 'Blocked', 'apps/orders': 'Healthy', 'db/lagging': 'Degraded' }),
    now: NOW,
  });
}

/** `status hippo -n db` on the incident. */
export function incidentReport(source: Snapshot['source'] = { kind: 'file', path: 'incident.yaml' }): StatusReport {
  const v = incidentView();
  return buildStatusReport({
    snapshot: snapshot([v.object], { scope: { allNamespaces: false, namespace: 'db', cluster: 'hippo' }, source }),
    views: [v],
    findings: incidentFindings,
    health: healthBy({ 'db/hippo': 'Blocked' }),
    now: NOW,
  });
}

export const podsForbidden: Gap = {
  resource: 'pods',
  verb: 'list',
  namespace: 'db',
  status: 403,
  message: 'cannot list pods in namespace "db" (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "db"',
};

/** -n db where pods may not be listed: instances are known from StatefulSets, their state is not. */
export function partialReport(): StatusReport {
  const v = view(pgc('db', 'orders', '2026-11-24T17:30:00Z'), [
    set('00', 2, [
      instance('db', '00', 'orders-00-aaaa', { pod: false }),
      instance('db', '00', 'orders-00-bbbb', { pod: false }),
    ]),
  ], { leader: 'orders-00-aaaa-0' });
  return buildStatusReport({
    snapshot: snapshot([v.object], { gaps: [podsForbidden], scope: { allNamespaces: false, namespace: 'db' } }),
    views: [v],
    findings: [],
    health: healthBy({ 'db/orders': 'Unknown' }),
    now: NOW,
  });
}
