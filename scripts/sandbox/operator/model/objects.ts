// Pure builders: PostgresCluster spec -> the objects PGO applies, with the names, labels, owner
// references, selectors and shapes of the objects recorded from PGO v5.8.9. No API calls here,
// so the conformance test can call every builder without a cluster.
import type { KObj, OwnerRef } from '../../kube/types.ts';
import { LABEL, OWNER_API_VERSION, names } from './naming.ts';
import { clusterYAML, dataDirectory, instanceYAML, walDirectory } from './patroni-config.ts';
import { safeHash32 } from './psql.ts';
import type { ClusterSpec, InstanceSetSpec } from './spec.ts';

export interface Images {
  postgres?: string;
  pgbackrest?: string;
}

/** RELATED_IMAGE_* from the operator's environment, as PGO's config package reads them. */
export function imagesFor(c: ClusterSpec, env: NodeJS.ProcessEnv): Images {
  return {
    postgres: c.image || env[`RELATED_IMAGE_POSTGRES_${c.postgresVersion}`] || undefined,
    pgbackrest: env.RELATED_IMAGE_PGBACKREST || undefined,
  };
}

export function ownerRef(c: ClusterSpec): OwnerRef {
  return { apiVersion: OWNER_API_VERSION, kind: 'PostgresCluster', name: c.name, uid: c.uid, controller: true, blockOwnerDeletion: true };
}

function meta(c: ClusterSpec, name: string, labels: Record<string, string>, annotations?: Record<string, string>): KObj['metadata'] {
  const m: KObj['metadata'] = {
    name,
    namespace: c.namespace,
    labels: { ...(c.metadata?.labels ?? {}), ...labels },
    ownerReferences: [ownerRef(c)],
  };
  const a = { ...(c.metadata?.annotations ?? {}), ...(annotations ?? {}) };
  if (Object.keys(a).length) m.annotations = a;
  return m;
}

const clusterLabel = (c: ClusterSpec) => ({ [LABEL.cluster]: c.name });

// ---- Services ------------------------------------------------------------------------------

export function podService(c: ClusterSpec): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(c, names.podService(c.name), clusterLabel(c)),
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: clusterLabel(c) },
  };
}

const postgresPort = (c: ClusterSpec) => ({ name: 'postgres', port: c.port, protocol: 'TCP', targetPort: 'postgres' });

/** PGO's generatePatroniLeaderLeaseService refuses a nodePort on a ClusterIP Service itself
 *  (Warning event MisconfiguredClusterIP and this error, made with fmt.Errorf): the text, or
 *  undefined when spec.service is acceptable. */
export function leaderServiceError(c: ClusterSpec): string | undefined {
  const s = c.service;
  if (s && s.nodePort !== undefined && s.type === 'ClusterIP') {
    return `NodePort cannot be set with type ClusterIP on Service ${JSON.stringify(names.leaderService(c.name))}`;
  }
  return undefined;
}

/** <cluster>-ha: no selector; Patroni keeps its Endpoints pointing at the leader. spec.service
 *  sets its type, node port, traffic policies and extra metadata; the API server allocates (or
 *  refuses) the node port. */
export function leaderService(c: ClusterSpec): KObj {
  const s = c.service;
  const labels = { ...(s?.metadata?.labels ?? {}), [LABEL.cluster]: c.name, [LABEL.patroni]: names.patroniScope(c.name) };
  const port: Record<string, unknown> = postgresPort(c);
  if (s?.nodePort !== undefined) port.nodePort = s.nodePort;
  const spec: Record<string, unknown> = { type: s?.type ?? 'ClusterIP', ports: [port] };
  if (s?.externalTrafficPolicy) spec.externalTrafficPolicy = s.externalTrafficPolicy;
  if (s?.internalTrafficPolicy) spec.internalTrafficPolicy = s.internalTrafficPolicy;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(c, names.leaderService(c.name), labels, s?.metadata?.annotations),
    spec,
  };
}

/** <cluster>-ha-config: headless, no selector, so Kubernetes leaves Patroni's DCS Endpoints alone. */
export function dcsService(c: ClusterSpec): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(c, names.dcsService(c.name), { [LABEL.cluster]: c.name, [LABEL.patroni]: names.patroniScope(c.name) }),
    spec: { clusterIP: 'None' },
  };
}

export function primaryService(c: ClusterSpec): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(c, names.primaryService(c.name), { [LABEL.cluster]: c.name, [LABEL.role]: 'primary' }),
    spec: { clusterIP: 'None', ports: [postgresPort(c)] },
  };
}

/** <cluster>-primary Endpoints: the leader Service's cluster IP. */
export function primaryEndpoints(c: ClusterSpec, leaderClusterIP: string | undefined): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta(c, names.primaryService(c.name), { [LABEL.cluster]: c.name, [LABEL.role]: 'primary' }),
    subsets: leaderClusterIP ? [{ addresses: [{ ip: leaderClusterIP }], ports: [{ name: 'postgres', port: c.port, protocol: 'TCP' }] }] : [],
  };
}

export function replicaService(c: ClusterSpec): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(c, names.replicaService(c.name), { [LABEL.cluster]: c.name, [LABEL.role]: 'replica' }),
    spec: { type: 'ClusterIP', ports: [postgresPort(c)], selector: { [LABEL.cluster]: c.name, [LABEL.role]: 'replica' } },
  };
}

// ---- RBAC for Patroni's DCS ----------------------------------------------------------------

export function instanceServiceAccount(c: ClusterSpec): KObj {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(c, names.instanceRBAC(c.name), clusterLabel(c)), automountServiceAccountToken: true };
}

function role(c: ClusterSpec, name: string, labels: Record<string, string>, rules: unknown[]): KObj {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(c, name, labels), rules };
}

/** Binds the Role of that name to the ServiceAccount of the same name. */
function roleBinding(c: ClusterSpec, name: string, labels: Record<string, string>): KObj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(c, name, labels),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name }],
  };
}

export function instanceRole(c: ClusterSpec): KObj {
  return role(c, names.instanceRBAC(c.name), clusterLabel(c), [
    { apiGroups: [''], resources: ['endpoints'], verbs: ['create', 'deletecollection', 'get', 'list', 'patch', 'watch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch', 'watch'] },
    { apiGroups: [''], resources: ['services'], verbs: ['create'] },
  ]);
}

export function instanceRoleBinding(c: ClusterSpec): KObj {
  return roleBinding(c, names.instanceRBAC(c.name), clusterLabel(c));
}

// ---- ConfigMaps ----------------------------------------------------------------------------

export function clusterConfigMap(c: ClusterSpec, bootstrapped: boolean): KObj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(c, names.clusterConfigMap(c.name), clusterLabel(c)), data: { 'patroni.yaml': clusterYAML(c, bootstrapped) } };
}

const instanceLabels = (c: ClusterSpec, set: InstanceSetSpec, instance: string) => ({
  [LABEL.cluster]: c.name,
  [LABEL.instanceSet]: set.name,
  [LABEL.instance]: instance,
});

export function instanceConfigMap(c: ClusterSpec, set: InstanceSetSpec, instance: string, bootstrapped: boolean): KObj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(c, names.instanceConfigMap(instance), instanceLabels(c, set, instance)),
    data: { 'patroni.yaml': instanceYAML(c, set, bootstrapped) },
  };
}

// ---- Volumes -------------------------------------------------------------------------------

export function pgdataVolume(c: ClusterSpec, set: InstanceSetSpec, instance: string): KObj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(c, names.pgdata(instance), { ...instanceLabels(c, set, instance), [LABEL.data]: 'postgres', [LABEL.role]: 'pgdata' }),
    spec: set.dataVolumeClaimSpec,
  };
}

export function pgwalVolume(c: ClusterSpec, set: InstanceSetSpec, instance: string): KObj | undefined {
  if (!set.walVolumeClaimSpec) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(c, names.pgwal(instance), { ...instanceLabels(c, set, instance), [LABEL.data]: 'postgres', [LABEL.role]: 'pgwal' }),
    spec: set.walVolumeClaimSpec,
  };
}

// ---- Instance StatefulSet ------------------------------------------------------------------

const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

const NSS_ENV = [
  { name: 'LD_PRELOAD', value: '/usr/lib64/libnss_wrapper.so' },
  { name: 'NSS_WRAPPER_PASSWD', value: '/tmp/nss_wrapper/postgres/passwd' },
  { name: 'NSS_WRAPPER_GROUP', value: '/tmp/nss_wrapper/postgres/group' },
];

// PGO embeds long shell scripts in these containers; the model keeps their arguments and says
// so in place of the script (the scripts are PGO's code, and nothing in the sandbox runs them).
const SCRIPT = (what: string) => `# ${what}: script not reproduced by the sandbox operator model`;

function topologySpread(c: ClusterSpec): unknown[] {
  if (c.disableDefaultPodScheduling) return [];
  const selector = {
    matchExpressions: [{ key: LABEL.data, operator: 'In', values: ['postgres', 'pgbackrest'] }],
    matchLabels: { [LABEL.cluster]: c.name },
  };
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    labelSelector: selector,
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
  }));
}

/**
 * spec.replicas of an instance StatefulSet: 1 normally; during shutdown the primary (the
 * "startup instance" kept in status) stops last; everything else is 0.
 */
export function instanceReplicas(startupInstance: string | undefined, shutdown: boolean, instance: string, numInstancePods: number): number {
  if (!startupInstance) return 1;
  if (startupInstance !== instance) return 0;
  if (shutdown && numInstancePods <= 1) return 0;
  return 1;
}

/** spec.imagePullPolicy on every container, as PGO copies it; unset, the API server defaults it
 *  (IfNotPresent for a tagged image, Always otherwise: both seen in the recordings). */
function withPullPolicy(c: ClusterSpec, spec: KObj['spec']): KObj['spec'] {
  if (c.imagePullPolicy) for (const k of ['containers', 'initContainers']) for (const x of spec[k] ?? []) x.imagePullPolicy = c.imagePullPolicy;
  return spec;
}

// ---- Pieces an instance pod and the repo host pod both run ---------------------------------

const TMP_MOUNT = { mountPath: '/tmp', name: 'tmp' };

/** The pgBackRest TLS server; dataMounts are what it serves (pgdata, or the repo volumes). */
function pgbackrestServerContainer(image: string, dataMounts: unknown[]) {
  return {
    name: 'pgbackrest',
    image,
    command: ['pgbackrest', 'server'],
    env: NSS_ENV,
    livenessProbe: { exec: { command: ['pgbackrest', 'server-ping'] }, failureThreshold: 3, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
    resources: {},
    securityContext: RESTRICTED,
    volumeMounts: [
      { mountPath: '/etc/pgbackrest/server', name: 'pgbackrest-server', readOnly: true },
      ...dataMounts,
      { mountPath: '/etc/pgbackrest/conf.d', name: 'pgbackrest-config', readOnly: true },
      { ...TMP_MOUNT },
    ],
  };
}

function pgbackrestConfigContainer(image: string) {
  return {
    name: 'pgbackrest-config',
    image,
    command: [
      'bash', '-ceu', '--', SCRIPT('reload pgBackRest configuration'), 'pgbackrest-config', '/etc/pgbackrest/server',
      '/etc/pgbackrest/conf.d/~postgres-operator/tls-ca.crt', '/etc/pgbackrest/conf.d/~postgres-operator_server.conf',
    ],
    resources: {},
    securityContext: RESTRICTED,
    volumeMounts: [
      { mountPath: '/etc/pgbackrest/server', name: 'pgbackrest-server', readOnly: true },
      { mountPath: '/etc/pgbackrest/conf.d', name: 'pgbackrest-config', readOnly: true },
      { ...TMP_MOUNT },
    ],
  };
}

function nssWrapperInit(image: string) {
  return {
    name: 'nss-wrapper-init',
    image,
    command: ['bash', '-c', SCRIPT('nss_wrapper setup')],
    resources: {},
    securityContext: RESTRICTED,
    volumeMounts: [{ ...TMP_MOUNT }],
  };
}

/** The server's certificate: the instance's own (key prefix pgbackrest-server) or the repo host's
 *  (pgbackrest-repo-host, kept in the cluster's pgbackrest secret). */
function pgbackrestServerVolume(secretName: string, keyPrefix: string) {
  return {
    name: 'pgbackrest-server',
    projected: {
      defaultMode: 420,
      sources: [
        {
          secret: {
            name: secretName,
            items: [
              { key: `${keyPrefix}.crt`, path: 'server-tls.crt' },
              { key: `${keyPrefix}.key`, mode: 384, path: 'server-tls.key' },
            ],
          },
        },
      ],
    },
  };
}

/** pgBackRest's configuration: confKey is the instance's or the repo host's file; only the
 *  instance marks the client secret optional (as recorded). */
function pgbackrestConfigVolume(c: ClusterSpec, confKey: string, secretOptional: boolean) {
  return {
    name: 'pgbackrest-config',
    projected: {
      defaultMode: 420,
      sources: [
        {
          configMap: {
            name: names.pgbackrestConfig(c.name),
            items: [
              { key: confKey, path: confKey },
              { key: 'config-hash', path: 'config-hash' },
              { key: 'pgbackrest-server.conf', path: '~postgres-operator_server.conf' },
            ],
          },
        },
        {
          secret: {
            name: names.pgbackrestSecret(c.name),
            ...(secretOptional ? { optional: true } : {}),
            items: [
              { key: 'pgbackrest.ca-roots', path: '~postgres-operator/tls-ca.crt' },
              { key: 'pgbackrest-client.crt', path: '~postgres-operator/client-tls.crt' },
              { key: 'pgbackrest-client.key', mode: 384, path: '~postgres-operator/client-tls.key' },
            ],
          },
        },
      ],
    },
  };
}

/** The pod spec fields after the containers and volumes, the same in both StatefulSets. */
function podSettings(c: ClusterSpec, serviceAccountName: string) {
  return {
    restartPolicy: 'Always',
    shareProcessNamespace: true,
    serviceAccountName,
    enableServiceLinks: false,
    securityContext: { fsGroup: 26, fsGroupChangePolicy: 'OnRootMismatch' },
    topologySpreadConstraints: topologySpread(c),
  };
}

export function instanceStatefulSet(c: ClusterSpec, set: InstanceSetSpec, instance: string, replicas: number, images: Images): KObj {
  const labels = { ...(set.metadata?.labels ?? {}), ...instanceLabels(c, set, instance), [LABEL.data]: 'postgres' };
  const podLabels = { ...(c.metadata?.labels ?? {}), ...labels, [LABEL.patroni]: names.patroniScope(c.name) };
  const podAnnotations = { ...(c.metadata?.annotations ?? {}), ...(set.metadata?.annotations ?? {}), 'kubectl.kubernetes.io/default-container': 'database' };
  const pgImage = images.postgres ?? '';
  const databaseMounts = [
    { mountPath: '/pgconf/tls', name: 'cert-volume', readOnly: true },
    { mountPath: '/pgdata', name: 'postgres-data' },
    ...(set.walVolumeClaimSpec ? [{ mountPath: '/pgwal', name: 'postgres-wal' }] : []),
    { mountPath: '/etc/database-containerinfo', name: 'database-containerinfo', readOnly: true },
    ...(c.backupsSpecFound ? [{ mountPath: '/etc/pgbackrest/conf.d', name: 'pgbackrest-config', readOnly: true }] : []),
    { mountPath: '/etc/patroni', name: 'patroni-config', readOnly: true },
    { mountPath: '/tmp', name: 'tmp' },
    { mountPath: '/dev/shm', name: 'dshm' },
  ];
  const probe = (path: string) => ({
    failureThreshold: Math.max(1, Math.floor(c.patroni.leaderLeaseDurationSeconds / c.patroni.syncPeriodSeconds)),
    httpGet: { path, port: c.patroni.port, scheme: 'HTTPS' },
    initialDelaySeconds: 3,
    periodSeconds: c.patroni.syncPeriodSeconds,
    successThreshold: 1,
    timeoutSeconds: Math.max(1, Math.floor(c.patroni.syncPeriodSeconds / 2)),
  });
  const database = {
    name: 'database',
    image: pgImage,
    command: ['patroni', '/etc/patroni'],
    env: [
      { name: 'PGDATA', value: dataDirectory(c) },
      { name: 'PGHOST', value: '/tmp/postgres' },
      { name: 'PGPORT', value: String(c.port) },
      { name: 'KRB5_CONFIG', value: '/etc/postgres/krb5.conf' },
      { name: 'KRB5RCACHEDIR', value: '/tmp' },
      { name: 'LDAPTLS_CACERT', value: '/etc/postgres/ldap/ca.crt' },
      { name: 'PATRONI_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'PATRONI_KUBERNETES_POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
      { name: 'PATRONI_KUBERNETES_PORTS', value: `- name: postgres\n  port: ${c.port}\n  protocol: TCP\n` },
      { name: 'PATRONI_POSTGRESQL_CONNECT_ADDRESS', value: `$(PATRONI_NAME).${names.podService(c.name)}:${c.port}` },
      { name: 'PATRONI_POSTGRESQL_LISTEN', value: `*:${c.port}` },
      { name: 'PATRONI_POSTGRESQL_CONFIG_DIR', value: dataDirectory(c) },
      { name: 'PATRONI_POSTGRESQL_DATA_DIR', value: dataDirectory(c) },
      { name: 'PATRONI_RESTAPI_CONNECT_ADDRESS', value: `$(PATRONI_NAME).${names.podService(c.name)}:${c.patroni.port}` },
      { name: 'PATRONI_RESTAPI_LISTEN', value: `*:${c.patroni.port}` },
      { name: 'PATRONICTL_CONFIG_FILE', value: '/etc/patroni' },
      ...NSS_ENV,
    ],
    livenessProbe: probe('/liveness'),
    readinessProbe: probe('/readiness'),
    ports: [{ containerPort: c.port, name: 'postgres', protocol: 'TCP' }],
    resources: {},
    securityContext: RESTRICTED,
    volumeMounts: databaseMounts,
  };
  const replicationCertCopy = {
    name: 'replication-cert-copy',
    image: pgImage,
    command: ['bash', '-ceu', '--', SCRIPT('monitor replication certificates'), 'replication-cert-copy'],
    resources: {},
    securityContext: RESTRICTED,
    volumeMounts: [
      { mountPath: '/pgconf/tls', name: 'cert-volume', readOnly: true },
      { mountPath: '/pgdata', name: 'postgres-data' },
      { mountPath: '/tmp', name: 'tmp' },
    ],
  };
  const containers: unknown[] = [database, replicationCertCopy];
  if (c.backupsSpecFound) {
    const img = images.pgbackrest ?? '';
    containers.push(pgbackrestServerContainer(img, [{ mountPath: '/pgdata', name: 'postgres-data' }]), pgbackrestConfigContainer(img));
  }
  const initContainers = [
    {
      name: 'postgres-startup',
      image: pgImage,
      command: ['bash', '-ceu', '--', SCRIPT('prepare the data directory'), 'startup', String(c.postgresVersion), set.walVolumeClaimSpec ? `/pgwal/pg${c.postgresVersion}_wal` : walDirectory(c)],
      env: database.env.slice(0, 6),
      resources: {},
      securityContext: RESTRICTED,
      volumeMounts: [
        { mountPath: '/pgconf/tls', name: 'cert-volume', readOnly: true },
        { mountPath: '/pgdata', name: 'postgres-data' },
        { mountPath: '/tmp', name: 'tmp' },
      ],
    },
    nssWrapperInit(pgImage),
  ];
  const certItems = (prefix: string) => ['tls.crt', 'tls.key', 'ca.crt'].map((key) => ({ key, path: prefix + key }));
  const volumes: unknown[] = [
    {
      name: 'cert-volume',
      projected: {
        defaultMode: 384,
        sources: [
          { secret: { name: names.clusterCert(c.name), items: certItems('') } },
          { secret: { name: names.replicationCert(c.name), items: certItems('replication/') } },
        ],
      },
    },
    { name: 'postgres-data', persistentVolumeClaim: { claimName: names.pgdata(instance) } },
    ...(set.walVolumeClaimSpec ? [{ name: 'postgres-wal', persistentVolumeClaim: { claimName: names.pgwal(instance) } }] : []),
    {
      name: 'database-containerinfo',
      downwardAPI: {
        defaultMode: 420,
        items: [
          ...['cpu_limit:limits.cpu', 'cpu_request:requests.cpu', 'mem_limit:limits.memory', 'mem_request:requests.memory'].map((s) => {
            const [path, resource] = s.split(':');
            return { path, resourceFieldRef: { containerName: 'database', divisor: '0', resource } };
          }),
          { path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.annotations' } },
        ],
      },
    },
  ];
  if (c.backupsSpecFound) {
    volumes.push(pgbackrestServerVolume(names.instanceCerts(instance), 'pgbackrest-server'), pgbackrestConfigVolume(c, 'pgbackrest_instance.conf', true));
  }
  volumes.push(
    {
      name: 'patroni-config',
      projected: {
        defaultMode: 420,
        sources: [
          { configMap: { name: names.clusterConfigMap(c.name), items: [{ key: 'patroni.yaml', path: '~postgres-operator_cluster.yaml' }] } },
          { configMap: { name: names.instanceConfigMap(instance), items: [{ key: 'patroni.yaml', path: '~postgres-operator_instance.yaml' }] } },
          {
            secret: {
              name: names.instanceCerts(instance),
              items: [
                { key: 'patroni.ca-roots', path: '~postgres-operator/patroni.ca-roots' },
                { key: 'patroni.crt-combined', path: '~postgres-operator/patroni.crt+key' },
              ],
            },
          },
        ],
      },
    },
    { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
    { name: 'dshm', emptyDir: { medium: 'Memory' } },
  );

  const stsMeta = meta(c, instance, labels, set.metadata?.annotations);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: stsMeta,
    spec: {
      replicas,
      selector: { matchLabels: instanceLabels(c, set, instance) },
      serviceName: names.podService(c.name),
      revisionHistoryLimit: 0,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'OnDelete' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: podLabels, annotations: podAnnotations },
        spec: withPullPolicy(c, {
          containers,
          initContainers,
          volumes,
          ...podSettings(c, names.instanceRBAC(c.name)),
        }),
      },
    },
  };
}

// ---- pgBackRest dedicated repository host --------------------------------------------------

/** Repos with a volume need the dedicated repo host (PGO v5.8: always for a volume repo). */
export function volumeRepos(c: ClusterSpec) {
  return c.repos.filter((r) => r.volume);
}

const pgbackrestLabels = (c: ClusterSpec) => ({ [LABEL.cluster]: c.name, [LABEL.pgbackrest]: '' });
const repoHostLabels = (c: ClusterSpec) => ({ ...pgbackrestLabels(c), [LABEL.pgbackrestDedicated]: '' });

export function repoVolume(c: ClusterSpec, repo: { name: string; volume?: { volumeClaimSpec: Record<string, unknown> } }): KObj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(c, names.repoVolume(c.name, repo.name), {
      ...pgbackrestLabels(c),
      [LABEL.data]: 'pgbackrest',
      [LABEL.pgbackrestRepo]: repo.name,
      [LABEL.pgbackrestVolume]: '',
    }),
    spec: repo.volume?.volumeClaimSpec ?? {},
  };
}

export function pgbackrestServiceAccount(c: ClusterSpec): KObj {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(c, names.pgbackrestRBAC(c.name), pgbackrestLabels(c)) };
}

export function pgbackrestRole(c: ClusterSpec): KObj {
  return role(c, names.pgbackrestRBAC(c.name), pgbackrestLabels(c), [
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
  ]);
}

export function pgbackrestRoleBinding(c: ClusterSpec): KObj {
  return roleBinding(c, names.pgbackrestRBAC(c.name), pgbackrestLabels(c));
}

export function repoHostServiceAccount(c: ClusterSpec): KObj {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(c, names.repoHostSA(c.name), pgbackrestLabels(c)) };
}

/** PGO's pgBackRest ini files: sections in order, keys sorted within each, a blank line between. */
function iniFile(sections: Array<[string, Record<string, string>]>): string {
  const body = sections
    .filter(([, kv]) => Object.keys(kv).length)
    .map(([name, kv]) => `[${name}]\n` + Object.keys(kv).sort().map((k) => `${k} = ${kv[k]}\n`).join(''))
    .join('\n');
  return '# Generated by postgres-operator. DO NOT EDIT.\n# Your changes will not be saved.\n\n' + body;
}

const PGBACKREST_TLS = '/etc/pgbackrest/conf.d/~postgres-operator';

/**
 * <cluster>-pgbackrest-config as PGO v5.8.9 writes it for volume repos on a dedicated repo host:
 * TLS between the instances and the repo host, and config-hash over the external repos' options
 * (none for volume repos: the hash of nothing, as the recorded "65bb57b6b5" is).
 */
export function pgbackrestConfigMap(c: ClusterSpec, instancePods: string[]): KObj {
  const host = (pod: string) => `${pod}.${names.podService(c.name)}.${c.namespace}.svc.cluster.local.`;
  const repos = volumeRepos(c);
  const client = (prefix: string) => ({
    [`${prefix}-ca-file`]: `${PGBACKREST_TLS}/tls-ca.crt`,
    [`${prefix}-cert-file`]: `${PGBACKREST_TLS}/client-tls.crt`,
    [`${prefix}-key-file`]: `${PGBACKREST_TLS}/client-tls.key`,
    [`${prefix}-type`]: 'tls',
  });
  const instanceGlobal: Record<string, string> = { 'archive-async': 'y', 'log-path': '/pgdata/pgbackrest/log', 'spool-path': '/pgdata/pgbackrest-spool' };
  for (const r of repos) {
    Object.assign(instanceGlobal, {
      [`${r.name}-host`]: host(`${names.repoHost(c.name)}-0`),
      ...client(`${r.name}-host`),
      [`${r.name}-host-user`]: 'postgres',
      [`${r.name}-path`]: `/pgbackrest/${r.name}`,
    });
  }
  const db = (n: string) => ({ [`${n}-path`]: dataDirectory(c), [`${n}-port`]: String(c.port), [`${n}-socket-path`]: '/tmp/postgres' });
  const repoGlobal: Record<string, string> = repos.length ? { 'log-path': `/pgbackrest/${repos[0].name}/log` } : {};
  for (const r of repos) repoGlobal[`${r.name}-path`] = `/pgbackrest/${r.name}`;
  const repoDB: Record<string, string> = {};
  instancePods.forEach((pod, i) => Object.assign(repoDB, { [`pg${i + 1}-host`]: host(pod), ...client(`pg${i + 1}-host`), ...db(`pg${i + 1}`) }));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(c, names.pgbackrestConfig(c.name), { ...pgbackrestLabels(c), [LABEL.pgbackrestConfig]: '' }),
    data: {
      'config-hash': safeHash32([]),
      'pgbackrest-server.conf': iniFile([
        [
          'global',
          {
            'tls-server-address': '0.0.0.0',
            'tls-server-auth': `pgbackrest@${c.uid}=*`,
            'tls-server-ca-file': `${PGBACKREST_TLS}/tls-ca.crt`,
            'tls-server-cert-file': '/etc/pgbackrest/server/server-tls.crt',
            'tls-server-key-file': '/etc/pgbackrest/server/server-tls.key',
          },
        ],
        ['global:server', { 'log-level-console': 'detail', 'log-level-file': 'off', 'log-level-stderr': 'error', 'log-timestamp': 'n' }],
      ]),
      'pgbackrest_instance.conf': iniFile([
        ['global', instanceGlobal],
        ['db', db('pg1')],
      ]),
      'pgbackrest_repo.conf': iniFile([
        ['global', repoGlobal],
        ['db', repoDB],
      ]),
    },
  };
}

export function repoHostStatefulSet(c: ClusterSpec, images: Images): KObj {
  const repos = volumeRepos(c);
  const img = images.pgbackrest ?? '';
  const tmpMount = { mountPath: '/tmp', name: 'tmp' };
  const repoMounts = repos.map((r) => ({ mountPath: `/pgbackrest/${r.name}`, name: r.name }));
  const annotations = { 'kubectl.kubernetes.io/default-container': 'pgbackrest' };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(c, names.repoHost(c.name), { ...repoHostLabels(c), [LABEL.data]: 'pgbackrest' }, annotations),
    spec: {
      replicas: c.shutdown ? 0 : 1,
      selector: { matchLabels: repoHostLabels(c) },
      serviceName: names.podService(c.name),
      podManagementPolicy: 'Parallel',
      template: {
        metadata: { labels: { ...(c.metadata?.labels ?? {}), ...repoHostLabels(c), [LABEL.data]: 'pgbackrest' }, annotations },
        spec: withPullPolicy(c, {
          automountServiceAccountToken: false,
          containers: [pgbackrestServerContainer(img, repoMounts), pgbackrestConfigContainer(img)],
          initContainers: [
            {
              name: 'pgbackrest-log-dir',
              image: img,
              command: ['bash', '-c', repos.map((r) => `mkdir -p '/pgbackrest/${r.name}/log'`).join(' && ') || 'true'],
              resources: {},
              securityContext: RESTRICTED,
              volumeMounts: [...repoMounts, tmpMount],
            },
            nssWrapperInit(img),
          ],
          volumes: [
            pgbackrestServerVolume(names.pgbackrestSecret(c.name), 'pgbackrest-repo-host'),
            ...repos.map((r) => ({ name: r.name, persistentVolumeClaim: { claimName: names.repoVolume(c.name, r.name) } })),
            pgbackrestConfigVolume(c, 'pgbackrest_repo.conf', false),
            { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
          ],
          ...podSettings(c, names.repoHostSA(c.name)),
        }),
      },
    },
  };
}

export type BackupJobType = 'manual' | 'replica-create';

/**
 * A pgBackRest backup Job as PGO's reconcileManualBackup/reconcileReplicaCreateBackup apply it
 * (generateBackupJobSpecIntent): Crunchy's runner `/opt/crunchy/bin/pgbackrest` in container
 * `pgbackrest`, told by its env to exec `pgbackrest backup --stanza=db --repo=N [options]` into the
 * repo host's `pgbackrest` container after comparing config hashes; the repo pod's pgBackRest
 * configuration mounted at /etc/pgbackrest/conf.d; restartPolicy Never.
 */
export function backupJob(c: ClusterSpec, repoName: string, type: BackupJobType, name: string, images: Images,
  annotations: Record<string, string>, options: string[] = []): KObj {
  const labels = { ...(c.metadata?.labels ?? {}), ...(c.backupsMetadata?.labels ?? {}), ...pgbackrestLabels(c), [LABEL.pgbackrestRepo]: repoName, [LABEL.pgbackrestBackup]: type };
  const allAnnotations = { ...(c.metadata?.annotations ?? {}), ...(c.backupsMetadata?.annotations ?? {}), ...annotations };
  const opts = ['--stanza=db', `--repo=${/\d+/.exec(repoName)?.[0] ?? ''}`, ...options];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: c.namespace, labels, annotations: allAnnotations, ownerReferences: [ownerRef(c)] },
    spec: {
      template: {
        metadata: { labels, annotations: allAnnotations },
        spec: withPullPolicy(c, {
          containers: [{
            name: 'pgbackrest',
            image: images.pgbackrest ?? '',
            command: ['/opt/crunchy/bin/pgbackrest'],
            env: [
              { name: 'COMMAND', value: 'backup' },
              { name: 'COMMAND_OPTS', value: opts.join(' ') },
              { name: 'COMPARE_HASH', value: 'true' },
              { name: 'CONTAINER', value: 'pgbackrest' },
              { name: 'NAMESPACE', value: c.namespace },
              { name: 'SELECTOR', value: `${LABEL.cluster}=${c.name},${LABEL.pgbackrest}=,${LABEL.pgbackrestDedicated}=` },
            ],
            securityContext: RESTRICTED,
            volumeMounts: [{ mountPath: '/etc/pgbackrest/conf.d', name: 'pgbackrest-config', readOnly: true }],
          }],
          enableServiceLinks: false,
          restartPolicy: 'Never',
          securityContext: { fsGroupChangePolicy: 'OnRootMismatch' },
          serviceAccountName: names.pgbackrestRBAC(c.name),
          volumes: [pgbackrestConfigVolume(c, 'pgbackrest_repo.conf', false)],
        }),
      },
    },
  };
}
