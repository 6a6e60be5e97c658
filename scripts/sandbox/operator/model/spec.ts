// The parts of a PostgresCluster the model reads, with PGO's defaults applied (its Default()).
import type { KObj } from '../../kube/types.ts';

export interface InstanceSetSpec {
  name: string;
  replicas: number;
  dataVolumeClaimSpec: Record<string, unknown>;
  walVolumeClaimSpec?: Record<string, unknown>;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface SwitchoverSpec {
  enabled: boolean;
  targetInstance?: string;
  type: 'Switchover' | 'Failover';
}

export interface RepoSpec {
  name: string;
  volume?: { volumeClaimSpec: Record<string, unknown> };
}

/** spec.service: PGO puts it on the <cluster>-ha Service (the Patroni leader's). */
export interface ServiceSpec {
  type: string;
  nodePort?: number;
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface ClusterSpec {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  annotations: Record<string, string>;
  postgresVersion: number;
  port: number;
  image?: string;
  imagePullPolicy?: string;
  patroni: { port: number; leaderLeaseDurationSeconds: number; syncPeriodSeconds: number; switchover?: SwitchoverSpec; dynamicConfiguration?: Record<string, unknown> };
  instances: InstanceSetSpec[];
  repos: RepoSpec[];
  backupsSpecFound: boolean;
  /** spec.backups.pgbackrest.manual: what the pgbackrest-backup annotation runs. */
  manualBackup?: { repoName: string; options: string[] };
  backupsMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  paused: boolean;
  shutdown: boolean;
  standby?: { enabled: boolean; host?: string; repoName?: string; port?: number };
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  disableDefaultPodScheduling: boolean;
  service?: ServiceSpec;
}

export function readCluster(obj: KObj): ClusterSpec {
  const s = obj.spec ?? {};
  const p = s.patroni ?? {};
  const sw = p.switchover;
  return {
    name: obj.metadata.name,
    namespace: obj.metadata.namespace ?? 'default',
    uid: obj.metadata.uid ?? '',
    generation: obj.metadata.generation ?? 0,
    annotations: obj.metadata.annotations ?? {},
    postgresVersion: Number(s.postgresVersion ?? 0),
    port: s.port ?? 5432,
    image: s.image,
    imagePullPolicy: s.imagePullPolicy,
    patroni: {
      port: p.port ?? 8008,
      leaderLeaseDurationSeconds: p.leaderLeaseDurationSeconds ?? 30,
      syncPeriodSeconds: p.syncPeriodSeconds ?? 10,
      switchover: sw ? { enabled: sw.enabled === true, targetInstance: sw.targetInstance, type: sw.type === 'Failover' ? 'Failover' : 'Switchover' } : undefined,
      dynamicConfiguration: p.dynamicConfiguration,
    },
    instances: (s.instances ?? []).map((set: KObj['spec'], i: number) => ({
      name: set.name || String(i).padStart(2, '0'),
      replicas: set.replicas ?? 1,
      dataVolumeClaimSpec: set.dataVolumeClaimSpec ?? {},
      walVolumeClaimSpec: set.walVolumeClaimSpec,
      metadata: set.metadata,
    })),
    repos: s.backups?.pgbackrest?.repos ?? [],
    backupsSpecFound: Boolean(s.backups?.pgbackrest),
    manualBackup: s.backups?.pgbackrest?.manual
      ? { repoName: s.backups.pgbackrest.manual.repoName ?? '', options: s.backups.pgbackrest.manual.options ?? [] }
      : undefined,
    backupsMetadata: s.backups?.pgbackrest?.metadata,
    paused: s.paused === true,
    shutdown: s.shutdown === true,
    standby: s.standby,
    metadata: s.metadata,
    disableDefaultPodScheduling: s.disableDefaultPodScheduling === true,
    service: s.service ? { ...s.service, type: s.service.type ?? 'ClusterIP' } : undefined,
  };
}

/** Patroni has bootstrapped once the cluster's system identifier is in its status. */
export function clusterBootstrapped(status: KObj['status']): boolean {
  return Boolean(status?.patroni?.systemIdentifier);
}
