// The operator model against objects recorded from the real PGO v5.8.9: for the recorded
// cluster's spec, every object the model builds must equal the recorded one field by field,
// except fields the API server fills in and the model's documented gaps (listed below and in
// scripts/sandbox/operator/README.md). A difference fails naming its field path.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as build from '../../../scripts/sandbox/operator/model/objects.ts';
import { readCluster, clusterBootstrapped } from '../../../scripts/sandbox/operator/model/spec.ts';
import { describe, diff, find, recorded, unexplained, type Obj } from '../../helpers/operator.ts';

const items = recorded('v5.8.9', 'healthy.yaml');
const clusterObj = find(items, 'PostgresCluster', 'hippo');
const cluster = readCluster(clusterObj);

/** Fields the API server or a Kubernetes controller writes, never the operator. */
const SERVER = [
  /^metadata\.(uid|resourceVersion|creationTimestamp|generation|managedFields.*)$/,
  /^status(\..*)?$/,
  /^metadata\.annotations\.pv\.kubernetes\.io\/.*$/,
  /^metadata\.finalizers\[0\]$/, // kubernetes.io/pvc-protection
  /^spec\.(volumeMode|volumeName)$/,
  /^spec\.(clusterIP|clusterIPs\[\d\]|ipFamilies\[\d\]|ipFamilyPolicy|internalTrafficPolicy|sessionAffinity|type)$/,
  /^spec\.(revisionHistoryLimit|updateStrategy\.type|persistentVolumeClaimRetentionPolicy\.when(Deleted|Scaled))$/, // StatefulSet defaults
  /^spec\.template\.spec\.(initContainers|containers)\[[^\]]+\]\.(terminationMessagePath|terminationMessagePolicy|imagePullPolicy)$/,
  /^spec\.template\.spec\.(dnsPolicy|schedulerName|serviceAccount|terminationGracePeriodSeconds)$/,
];

/** What the model does not reproduce (README "What the model does not reproduce"). */
const GAPS = [
  // PGO's embedded shell scripts: the model keeps the arguments, not the script text.
  /^spec\.template\.spec\.(initContainers|containers)\[(postgres-startup|replication-cert-copy|pgbackrest-config)\]\.command\[3\]$/,
  /^spec\.template\.spec\.initContainers\[nss-wrapper-init\]\.command\[2\]$/,
  /^spec\.template\.spec\.initContainers\[pgbackrest-log-dir\]\.command\[2\]$/,
];

function check(kind: string, name: string, model: Obj): void {
  const rec = find(items, kind, name);
  const bad = unexplained(diff(rec, model), [...SERVER, ...GAPS]);
  assert.ok(bad.length === 0, `${kind}/${name} differs from the recorded object:\n${describe(bad)}`);
}

const images = build.imagesFor(cluster, {
  RELATED_IMAGE_POSTGRES_16: 'registry.developers.crunchydata.com/crunchydata/crunchy-postgres:ubi9-16.15-2633',
  RELATED_IMAGE_PGBACKREST: 'registry.developers.crunchydata.com/crunchydata/crunchy-pgbackrest:ubi9-2.59.0-2633',
});
const bootstrapped = clusterBootstrapped(clusterObj.status);
const set = (name: string) => cluster.instances.find((s) => s.name === name)!;
const recordedInstances = [
  ['instance1', 'hippo-instance1-hcjs'],
  ['instance2', 'hippo-instance2-k5cc'],
] as const;

test('the recorded cluster is bootstrapped (its ConfigMaps carry no bootstrap section)', () => {
  assert.ok(bootstrapped);
});

test('services: names, labels, owner references, selectors, ports', () => {
  check('Service', 'hippo-pods', build.podService(cluster));
  check('Service', 'hippo-ha', build.leaderService(cluster));
  check('Service', 'hippo-ha-config', build.dcsService(cluster));
  check('Service', 'hippo-primary', build.primaryService(cluster));
  check('Service', 'hippo-replicas', build.replicaService(cluster));
});

test('the -primary Endpoints point at the leader Service cluster IP', () => {
  const leaderIP = find(items, 'Service', 'hippo-ha').spec.clusterIP;
  check('Endpoints', 'hippo-primary', build.primaryEndpoints(cluster, leaderIP));
});

test('Patroni DCS RBAC: ServiceAccount, Role, RoleBinding', () => {
  check('ServiceAccount', 'hippo-instance', build.instanceServiceAccount(cluster));
  check('Role', 'hippo-instance', build.instanceRole(cluster));
  check('RoleBinding', 'hippo-instance', build.instanceRoleBinding(cluster));
});

test('patroni.yaml ConfigMaps: the exact text the database runtime reads', () => {
  check('ConfigMap', 'hippo-config', build.clusterConfigMap(cluster, bootstrapped));
  for (const [s, instance] of recordedInstances) check('ConfigMap', `${instance}-config`, build.instanceConfigMap(cluster, set(s), instance, bootstrapped));
});

test('pgdata PVCs: named <instance>-pgdata, owned by the PostgresCluster, labelled role=pgdata', () => {
  for (const [s, instance] of recordedInstances) check('PersistentVolumeClaim', `${instance}-pgdata`, build.pgdataVolume(cluster, set(s), instance));
});

test('instance StatefulSets: labels, selector, replicas, pod template, volumes', () => {
  for (const [s, instance] of recordedInstances) check('StatefulSet', instance, build.instanceStatefulSet(cluster, set(s), instance, 1, images));
});

test('pgBackRest: repo host StatefulSet, repo PVC, RBAC, ConfigMap keys', () => {
  check('StatefulSet', 'hippo-repo-host', build.repoHostStatefulSet(cluster, images));
  check('PersistentVolumeClaim', 'hippo-repo1', build.repoVolume(cluster, cluster.repos[0]));
  check('ServiceAccount', 'hippo-pgbackrest', build.pgbackrestServiceAccount(cluster));
  check('ServiceAccount', 'hippo-repohost', build.repoHostServiceAccount(cluster));
  check('Role', 'hippo-pgbackrest', build.pgbackrestRole(cluster));
  check('RoleBinding', 'hippo-pgbackrest', build.pgbackrestRoleBinding(cluster));
  check('ConfigMap', 'hippo-pgbackrest-config', build.pgbackrestConfigMap(cluster, recordedInstances.map(([, i]) => `${i}-0`)));
});

test('the diff itself fails on a changed label, naming the path', () => {
  const model = build.podService(cluster);
  model.metadata.labels = { ...model.metadata.labels, 'postgres-operator.crunchydata.com/cluster': 'other' };
  const bad = unexplained(diff(find(items, 'Service', 'hippo-pods'), model), [...SERVER, ...GAPS]);
  assert.equal(bad.map((d) => d.path), ['metadata.labels.postgres-operator.crunchydata.com/cluster']);
});

test.run();
