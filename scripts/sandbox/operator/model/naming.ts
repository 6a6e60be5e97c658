// Names and labels exactly as PGO's internal/naming package produces them (facts read from its
// source and checked against ../../../../../shared/fixtures/pgo/v5.8.9/recorded/).
import { randomInt } from 'node:crypto';

export const PREFIX = 'postgres-operator.crunchydata.com/';
export const LABEL = {
  cluster: `${PREFIX}cluster`,
  instanceSet: `${PREFIX}instance-set`,
  instance: `${PREFIX}instance`,
  data: `${PREFIX}data`,
  role: `${PREFIX}role`,
  patroni: `${PREFIX}patroni`,
  pgbackrest: `${PREFIX}pgbackrest`,
  pgbackrestDedicated: `${PREFIX}pgbackrest-dedicated`,
  pgbackrestRepo: `${PREFIX}pgbackrest-repo`,
  pgbackrestVolume: `${PREFIX}pgbackrest-volume`,
  pgbackrestConfig: `${PREFIX}pgbackrest-config`,
  pgbackrestBackup: `${PREFIX}pgbackrest-backup`,
} as const;

/** The manual backup's trigger; also the annotation on the Job naming the request it runs. */
export const ANNOTATION_PGBACKREST_BACKUP = `${PREFIX}pgbackrest-backup`;
export const ANNOTATION_TRIGGER_SWITCHOVER = `${PREFIX}trigger-switchover`;
export const FINALIZER = `${PREFIX}finalizer`;
export const GROUP = 'postgres-operator.crunchydata.com';
/** PGO's scheme registers v1beta1; owner references carry it even when v1 is served (v6). */
export const OWNER_API_VERSION = `${GROUP}/v1beta1`;
export const FIELD_MANAGER = 'postgrescluster-controller';

export const ROLE_MASTER = 'master';
export const ROLE_PRIMARY = 'primary'; // newer Patroni
export const ROLE_REPLICA = 'replica';
export const CONTAINER_DATABASE = 'database';

// k8s.io/apimachinery/pkg/util/rand.String: consonants and digits without vowels or look-alikes.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 4, rand: (max: number) => number = randomInt): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[rand(ALPHANUMS.length)];
  return s;
}

export const names = {
  patroniScope: (cluster: string) => `${cluster}-ha`,
  leaderService: (cluster: string) => `${cluster}-ha`,
  dcsService: (cluster: string) => `${cluster}-ha-config`,
  primaryService: (cluster: string) => `${cluster}-primary`,
  replicaService: (cluster: string) => `${cluster}-replicas`,
  podService: (cluster: string) => `${cluster}-pods`,
  clusterConfigMap: (cluster: string) => `${cluster}-config`,
  instanceConfigMap: (instance: string) => `${instance}-config`,
  instanceCerts: (instance: string) => `${instance}-certs`,
  pgdata: (instance: string) => `${instance}-pgdata`,
  pgwal: (instance: string) => `${instance}-pgwal`,
  instanceRBAC: (cluster: string) => `${cluster}-instance`,
  pgbackrestRBAC: (cluster: string) => `${cluster}-pgbackrest`,
  repoHostSA: (cluster: string) => `${cluster}-repohost`,
  repoHost: (cluster: string) => `${cluster}-repo-host`,
  backupJob: (cluster: string, suffix: string) => `${cluster}-backup-${suffix}`,
  repoVolume: (cluster: string, repo: string) => `${cluster}-${repo}`,
  pgbackrestConfig: (cluster: string) => `${cluster}-pgbackrest-config`,
  pgbackrestSecret: (cluster: string) => `${cluster}-pgbackrest`,
  clusterCert: (cluster: string) => `${cluster}-cluster-cert`,
  replicationCert: (cluster: string) => `${cluster}-replication-cert`,
  generateInstance: (cluster: string, set: string, rand?: (max: number) => number) => `${cluster}-${set}-${randomSuffix(4, rand)}`,
};
