// One reconcile of one PostgresCluster, in PGO's order. Each step is named after the PGO function
// it stands for; the first error ends the reconcile (later steps skipped, no condition) and is
// logged as PGO's "Reconciler error" line does: the error's text, and the file/func where PGO
// wraps it with a stack (none for fmt.Errorf and unwrapped exec errors).
import { ApiError, type KObj } from '../../kube/types.ts';
import type { Kube } from '../../kube/client.ts';
import { originOf, type Logger, type Origin } from './log.ts';
import { at, PgoError, plain } from './errors.ts';
import { ExecError } from './exec.ts';
import { FIELD_MANAGER, FINALIZER, LABEL, names } from './naming.ts';
import * as build from './objects.ts';
import {
  desiredInstanceNames,
  instanceSetStatuses,
  instancesToDelete,
  isPrimary,
  isReady,
  observeInstances,
  type Observed,
} from './instances.ts';
import { PATH, type Kind } from './paths.ts';
import { clusterBootstrapped, readCluster, type ClusterSpec } from './spec.ts';
import { mergePatch, removeCondition, setCondition } from './status.ts';
import { reconcileSwitchover } from './switchover.ts';
import type { EventRecorder } from './events.ts';
import { instanceCertificates, pgbackrestSecret, rootCertificate } from './certificates.ts';
import { backupJobsOf, reconcileManualBackup, reconcileReplicaCreateBackup, type JobDeps } from './backups.ts';
import {
  reconcilePGBouncerInPostgreSQL,
  reconcilePatroniDynamicConfiguration,
  reconcilePostgresDatabases,
  reconcilePostgresUsers,
  reconcileStanzaCreate,
  replicaRepoReady,
  type StdinExec,
} from './exec-steps.ts';

export class StepError extends Error {
  readonly origin?: Origin;
  constructor(
    readonly func: string,
    override readonly cause: unknown,
    origin?: Origin,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.origin = origin ?? originOf(cause);
  }
}

// Where each step wraps the API's errors with errors.WithStack. Lines are v5.8.9's where they could
// be placed from the recorded log and the nearest stored source (patroni.go, see the README);
// 0 where the model's author did not read them.
const API_ERROR_SITE: Record<string, [file: string, line: number]> = {
  handleDelete: ['delete.go', 0],
  observePersistentVolumeClaims: ['volumes.go', 0],
  observeInstances: ['instance.go', 0],
  reconcilePatroniStatus: ['patroni.go', 325],
  reconcileClusterPodService: ['cluster.go', 0],
  reconcileRBACResources: ['instance.go', 0],
  reconcileClusterConfigMap: ['cluster.go', 0],
  reconcilePatroniLeaderLease: ['patroni.go', 302],
  reconcileClusterPrimaryService: ['cluster.go', 0],
  reconcileClusterReplicaService: ['cluster.go', 0],
  reconcilePatroniDistributedConfiguration: ['patroni.go', 157],
  reconcileInstanceSets: ['instance.go', 0],
  reconcilePGBackRest: ['pgbackrest.go', 0],
};

/** The origin PGO's logger would print for an error thrown inside step `func`. */
export function stepOrigin(func: string, e: unknown): Origin | undefined {
  if (e instanceof PgoError) return e.origin; // made the way PGO makes it (with or without a stack)
  if (e instanceof ExecError) return undefined; // PodExec errors are returned unwrapped
  const site = API_ERROR_SITE[func];
  return site ? at(site[0], site[1], func) : undefined;
}

export interface Deps {
  kube: Kube;
  exec: StdinExec;
  env: NodeJS.ProcessEnv;
  log: Logger;
  events: EventRecorder;
  rand?: (max: number) => number;
  now?: () => Date;
}

export interface Result {
  requeueAfterMs?: number;
}

const FN = (name: string) => `postgrescluster.(*Reconciler).${name}`;

async function step<T>(func: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof StepError) throw e;
    throw new StepError(FN(func), e, stepOrigin(func, e));
  }
}

function apply(deps: Deps, obj: KObj): Promise<KObj> {
  const kind = obj.kind as Kind;
  return deps.kube.apply(PATH[kind](obj.metadata.namespace ?? '', obj.metadata.name), obj, FIELD_MANAGER);
}

const sel = (s: Record<string, string>, exists: string[] = []) =>
  [...Object.entries(s).map(([k, v]) => `${k}=${v}`), ...exists].join(',');

export async function reconcile(deps: Deps, namespace: string, name: string): Promise<Result> {
  const { kube, log } = deps;
  const now = () => (deps.now ? deps.now() : new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const obj = await kube.getOrNull(PATH.PostgresCluster(namespace, name));
  if (!obj) return {};
  const c = readCluster(obj);
  const before = JSON.parse(JSON.stringify(obj.status ?? {}));
  const status = JSON.parse(JSON.stringify(before));
  const result: Result = {};

  const patchStatus = async () => {
    if (status.conditions && status.conditions.length === 0) delete status.conditions;
    const patch = mergePatch(before, status);
    if (patch === undefined) return;
    try {
      await kube.mergePatch(PATH.PostgresCluster(namespace, name) + '/status', { status: patch }, FIELD_MANAGER);
    } catch (e) {
      log.error(e, 'patching cluster status');
      throw e;
    }
    log.debug('patched cluster status');
  };

  // handleDelete: PGO holds a finalizer so it can clean up Patroni's Endpoints.
  if (obj.metadata.deletionTimestamp) {
    if ((obj.metadata.finalizers as string[] | undefined)?.includes(FINALIZER)) {
      await step('handleDelete', async () => {
        await kube.request('DELETE', `${PATH.Endpoints(namespace)}?labelSelector=${encodeURIComponent(sel({ [LABEL.cluster]: name }, [LABEL.patroni]))}`);
        const finalizers = (obj.metadata.finalizers as string[]).filter((f) => f !== FINALIZER);
        // Gone already (the cache lagged its deletion): what the finalizer guarded is done; PGO's
        // recorded log has no error here.
        await kube.mergePatch(PATH.PostgresCluster(namespace, name), { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } }).catch((e) => {
          if (!(e instanceof ApiError && e.status === 404)) throw e;
        });
      });
    }
    return {};
  }
  if (!((obj.metadata.finalizers as string[] | undefined) ?? []).includes(FINALIZER)) {
    await step('handleDelete', () =>
      kube.mergePatch(PATH.PostgresCluster(namespace, name), {
        metadata: { finalizers: [...((obj.metadata.finalizers as string[] | undefined) ?? []), FINALIZER], resourceVersion: obj.metadata.resourceVersion },
      }),
    );
  }

  const images = build.imagesFor(c, deps.env);
  if (!images.postgres || (c.backupsSpecFound && !images.pgbackrest)) {
    const msg = !images.postgres
      ? `Missing image(s): [crunchy-postgres PostgreSQL v${c.postgresVersion}]`
      : 'Missing image(s): [crunchy-pgbackrest]';
    await deps.events.record(obj, 'Warning', 'MissingRequiredImage', msg);
    if (!c.shutdown) throw new StepError(FN('Reconcile'), plain(msg));
  }

  if (c.paused) {
    status.conditions = setCondition(
      status.conditions,
      {
        type: 'Progressing',
        status: 'False',
        reason: 'Paused',
        message: 'No spec changes will be applied and no other statuses will be updated.',
        observedGeneration: c.generation,
      },
      now(),
    );
    await patchStatus();
    return {};
  }
  status.conditions = removeCondition(status.conditions, 'Progressing');

  let err: StepError | undefined;
  try {
    const root = await step('reconcileRootCertificate', () => rootCertificate(kube, c));
    const clusterSel = sel({ [LABEL.cluster]: name });
    const volumes = await step('observePersistentVolumeClaims', async () => (await kube.list(PATH.PersistentVolumeClaim(namespace), clusterSel)).items);
    const observed = await step('observeInstances', async () => {
      const instanceSel = sel({ [LABEL.cluster]: name }, [LABEL.instance]);
      const [pods, runners] = await Promise.all([kube.list(PATH.Pod(namespace), instanceSel), kube.list(PATH.StatefulSet(namespace), instanceSel)]);
      const o = observeInstances(c, runners.items, pods.items);
      status.instances = instanceSetStatuses(o);
      return o;
    });

    status.patroni = status.patroni ?? {};
    await step('reconcilePatroniStatus', async () => {
      const dcs = await kube.getOrNull(PATH.Endpoints(namespace, names.dcsService(name)));
      const init = dcs?.metadata.annotations?.initialize;
      if (init) status.patroni.systemIdentifier = init;
      else if (observed.forCluster.some((i) => isReady(i) === true)) {
        log.info('detected ready instance but no initialize value');
        result.requeueAfterMs = 1000;
      }
    });
    await step('reconcilePatroniSwitchover', () => reconcileSwitchover(c, status.patroni, observed, deps.exec, log));
    await step('reconcileClusterPodService', () => apply(deps, build.podService(c)));
    await step('reconcileRBACResources', async () => {
      await apply(deps, build.instanceServiceAccount(c));
      await apply(deps, build.instanceRole(c));
      await apply(deps, build.instanceRoleBinding(c));
    });
    const bootstrapped = clusterBootstrapped(status);
    await step('reconcileClusterConfigMap', () => apply(deps, build.clusterConfigMap(c, bootstrapped)));
    const leader = await step('reconcilePatroniLeaderLease', async () => {
      const refused = build.leaderServiceError(c);
      if (refused) {
        await deps.events.record(obj, 'Warning', 'MisconfiguredClusterIP', refused);
        throw plain(refused);
      }
      return apply(deps, build.leaderService(c));
    });
    await step('reconcileClusterPrimaryService', async () => {
      await apply(deps, build.primaryService(c));
      await apply(deps, build.primaryEndpoints(c, leader.spec?.clusterIP));
    });
    await step('reconcileClusterReplicaService', () => apply(deps, build.replicaService(c)));
    await step('reconcilePatroniDistributedConfiguration', () => apply(deps, build.dcsService(c)));
    await step('reconcilePatroniDynamicConfiguration', () => reconcilePatroniDynamicConfiguration(deps, c, observed, bootstrapped));
    await step('reconcileInstanceSets', () => reconcileInstanceSets(deps, c, status, observed, volumes, images, bootstrapped, root));
    await step('reconcilePostgresDatabases', () => reconcilePostgresDatabases(deps, obj, c, status, observed));
    await step('reconcilePostgresUsers', () => reconcilePostgresUsers(deps, obj, c, status, observed));
    await step('reconcilePGBackRest', async () => {
      if (await reconcilePGBackRest(deps, obj, c, status, observed, images, root)) result.requeueAfterMs = 10_000;
    });
    await step('reconcilePGBouncer', () => reconcilePGBouncerInPostgreSQL(deps, obj, status, observed));
  } catch (e) {
    err = e instanceof StepError ? e : new StepError(FN('Reconcile'), e);
  }

  // PGO writes observedGeneration and the status even when a step failed.
  status.observedGeneration = c.generation;
  log.debug('reconciled cluster');
  await patchStatus();
  if (err) throw err;
  return result;
}

async function reconcileInstanceSets(
  deps: Deps,
  c: ClusterSpec,
  status: KObj['status'],
  observed: Observed,
  volumes: KObj[],
  images: build.Images,
  bootstrapped: boolean,
  root: { crt: string; key: string },
): Promise<void> {
  // During shutdown the primary is remembered as the startup instance; it stops last and starts first.
  for (const i of observed.forCluster) {
    if (isPrimary(i) === true) {
      if (c.shutdown) {
        status.startupInstance = i.name;
        status.startupInstanceSet = i.set;
      } else {
        delete status.startupInstance;
        delete status.startupInstanceSet;
      }
    }
  }
  const numInstancePods = observed.forCluster.reduce((n, i) => n + i.pods.length, 0);
  for (const set of c.instances) {
    for (const instance of desiredInstanceNames(c, set, observed, volumes, deps.rand)) {
      await apply(deps, build.instanceConfigMap(c, set, instance, bootstrapped));
      await apply(deps, build.pgdataVolume(c, set, instance));
      const wal = build.pgwalVolume(c, set, instance);
      if (wal) await apply(deps, wal);
      await instanceCertificates(deps.kube, c, instance, root);
      const replicas = build.instanceReplicas(status.startupInstance, c.shutdown, instance, numInstancePods);
      await apply(deps, build.instanceStatefulSet(c, set, instance, replicas, images));
      deps.log.debug('reconciled instance', { instance });
    }
    deps.log.debug('reconciled instance set', { 'instance-set': set.name });
  }
  for (const instance of instancesToDelete(c, observed)) {
    const selector = sel({ [LABEL.cluster]: c.name, [LABEL.instance]: instance });
    for (const kind of ['ConfigMap', 'StatefulSet', 'PersistentVolumeClaim'] as const) {
      const { items } = await deps.kube.list(PATH[kind](c.namespace), selector);
      for (const o of items) {
        if (o.metadata.ownerReferences?.some((r) => r.controller && r.uid === c.uid)) {
          await deps.kube.delete(PATH[kind](c.namespace, o.metadata.name), { uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion });
        }
      }
    }
  }
}

/** Returns true when PGO would requeue (stanza not created yet). */
async function reconcilePGBackRest(deps: Deps, obj: KObj, c: ClusterSpec, status: KObj['status'], observed: Observed, images: build.Images, root: { crt: string; key: string }): Promise<boolean> {
  const repos = build.volumeRepos(c);
  if (!c.backupsSpecFound) {
    delete status.pgbackrest;
    return false;
  }
  await apply(deps, build.pgbackrestServiceAccount(c));
  await apply(deps, build.pgbackrestRole(c));
  await apply(deps, build.pgbackrestRoleBinding(c));
  const pods = observed.forCluster.flatMap((i) => i.pods.map((p) => p.metadata.name)).sort();
  const config = await apply(deps, build.pgbackrestConfigMap(c, pods));
  const repoStatus: unknown[] = [];
  for (const r of c.repos) {
    if (!r.volume) {
      repoStatus.push({ name: r.name });
      continue;
    }
    const pvc = await apply(deps, build.repoVolume(c, r));
    repoStatus.push(repoVolumeStatus(status.pgbackrest?.repos, r.name, pvc));
  }
  status.pgbackrest = { ...(status.pgbackrest ?? {}), repos: repoStatus };
  if (!repos.length) return false;
  await pgbackrestSecret(deps.kube, c, root);
  await apply(deps, build.repoHostServiceAccount(c));
  const existed = await deps.kube.getOrNull(PATH.StatefulSet(c.namespace, names.repoHost(c.name)));
  const sts = await apply(deps, build.repoHostStatefulSet(c, images));
  if (!existed) await deps.events.record(obj, 'Normal', 'RepoHostCreated', `created pgBackRest repository host StatefulSet/${names.repoHost(c.name)}`);
  const ready = (sts.status?.readyReplicas ?? 0) >= 1 && (sts.spec?.replicas ?? 0) >= 1;
  status.pgbackrest.repoHost = { apiVersion: 'apps/v1', kind: 'StatefulSet', ...(ready ? { ready: true } : {}) };
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  status.conditions = setCondition(
    status.conditions,
    ready
      ? { type: 'PGBackRestRepoHostReady', status: 'True', reason: 'RepoHostReady', message: 'pgBackRest dedicated repository host is ready', observedGeneration: c.generation }
      : { type: 'PGBackRestRepoHostReady', status: 'False', reason: 'RepoHostNotReady', message: 'pgBackRest dedicated repository host is not ready', observedGeneration: c.generation },
    now,
  );
  const requeue = await reconcileStanzaCreate(deps, obj, c, status, observed, config.data?.['config-hash'] ?? '');
  const repoReady = replicaRepoReady(c, status);
  if (repoReady) status.conditions = setCondition(status.conditions, repoReady, now);
  const { items: jobs } = await deps.kube.list(PATH.Job(c.namespace), sel({ [LABEL.cluster]: c.name }, [LABEL.pgbackrestBackup]));
  const owned = jobs.filter((j) => j.metadata.ownerReferences?.some((r) => r.controller && r.uid === c.uid));
  const jobDeps: JobDeps = {
    apply: (job) => apply(deps, job),
    remove: (job) => deps.kube.delete(`${PATH.Job(c.namespace, job.metadata.name)}?propagationPolicy=Background`),
    events: deps.events,
    rand: deps.rand,
  };
  const hash = config.data?.['config-hash'] ?? '';
  let failed = false;
  try {
    await reconcileReplicaCreateBackup(jobDeps, c, status, observed, backupJobsOf(owned, 'replica-create'), images, hash, now);
  } catch (e) {
    deps.log.with({ reconciler: 'pgBackRest' }).error(e, 'unable to reconcile replica creation backup');
    failed = true;
  }
  try {
    await reconcileManualBackup(jobDeps, obj, c, status, observed, backupJobsOf(owned, 'manual'), images, now);
  } catch (e) {
    deps.log.with({ reconciler: 'pgBackRest' }).error(e, 'unable to reconcile manual backup');
    failed = true;
  }
  return requeue || failed;
}

/** getRepoVolumeStatus: a repo keeps its stanzaCreated unless its volume changed. */
function repoVolumeStatus(previous: Array<Record<string, unknown>> | undefined, name: string, pvc: KObj): Record<string, unknown> {
  const before = previous?.find((r) => r.name === name && !r.repoOptionsHash);
  const volume = pvc.spec?.volumeName as string | undefined;
  const moved = before?.volume !== undefined && before.volume !== (volume ?? '');
  return {
    name,
    bound: pvc.status?.phase === 'Bound',
    stanzaCreated: before && !moved ? Boolean(before.stanzaCreated) : false,
    ...(before?.replicaCreateBackupComplete && !moved ? { replicaCreateBackupComplete: true } : {}),
    ...(volume ? { volume } : {}),
  };
}

export { ApiError };
