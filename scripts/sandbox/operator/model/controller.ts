// Watches (the PostgresClusters, what they own, and instance pods), the work queue and the
// workers. Watch-driven, with a periodic resync of every known cluster.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { KObj, WatchType } from '../../kube/types.ts';
import type { Kube } from '../../kube/client.ts';
import type { Logger } from './log.ts';
import { ROLE_MASTER, LABEL } from './naming.ts';
import { ALL } from './paths.ts';
import { CONTROLLER_FIELDS, kindSource, logControllerStart, logWorkersStart } from './manager-log.ts';
import { WorkQueue } from './queue.ts';
import { InformerCache, readThroughCache } from './cache.ts';
import { reconcile, type Deps } from './reconcile.ts';

const OWNED = ['StatefulSet', 'PersistentVolumeClaim', 'Service', 'Endpoints', 'ConfigMap', 'ServiceAccount', 'Role', 'RoleBinding', 'Job'] as const;

function ownerCluster(o: KObj): string | undefined {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'PostgresCluster' && r.apiVersion.startsWith('postgres-operator.crunchydata.com/'));
  return ref ? `${o.metadata.namespace}/${ref.name}` : undefined;
}

function memberStatus(p: KObj | undefined): { role?: string; pending_restart?: boolean } {
  try {
    return JSON.parse(p?.metadata.annotations?.status ?? '{}');
  } catch {
    return {};
  }
}

/** PGO's watchPods: reconcile when a pod becomes primary, stops being standby leader, or needs a restart. */
export function podTriggers(oldPod: KObj | undefined, newPod: KObj): boolean {
  if (!newPod.metadata.labels?.[LABEL.cluster]) return false;
  const standbyLeader = (p?: KObj) => memberStatus(p).role === 'standby_leader';
  if (oldPod && standbyLeader(oldPod) && !standbyLeader(newPod)) return true;
  if (memberStatus(oldPod).pending_restart || memberStatus(newPod).pending_restart) return true;
  const primary = (p?: KObj) => p?.metadata.labels?.[LABEL.role] === ROLE_MASTER;
  if (!primary(oldPod) && primary(newPod)) return true;
  return false;
}

/** The fields controller-runtime gives one reconcile's logger. */
export function reconcileFields(namespace: string, name: string, reconcileID: string = randomUUID()) {
  return { ...CONTROLLER_FIELDS, PostgresCluster: `${namespace}/${name}`, namespace, name, reconcileID };
}

export interface ControllerOptions {
  workers: number;
  resyncMs: number;
}

export class Controller {
  private readonly queue = new WorkQueue();
  // PGO reads through controller-runtime's informer cache; the model reads through its own.
  private readonly cache = new InformerCache();
  private readonly clusters = new Set<string>();
  private readonly pods = new Map<string, KObj>();
  private readonly abort = new AbortController();

  constructor(
    private readonly kube: Kube,
    private readonly deps: Deps,
    private readonly log: Logger,
    private readonly opts: ControllerOptions,
  ) {}

  stop(): void {
    this.abort.abort();
  }

  private onEvent(kind: string, type: WatchType, o: KObj): void {
    if (kind === 'PostgresCluster') {
      const key = `${o.metadata.namespace}/${o.metadata.name}`;
      if (type === 'DELETED') this.clusters.delete(key);
      else this.clusters.add(key);
      this.queue.add(key);
      return;
    }
    if (kind === 'Pod') {
      const uid = o.metadata.uid ?? '';
      const old = this.pods.get(uid);
      if (type === 'DELETED') this.pods.delete(uid);
      else this.pods.set(uid, o);
      if (type === 'MODIFIED' && podTriggers(old, o)) this.queue.add(`${o.metadata.namespace}/${o.metadata.labels?.[LABEL.cluster]}`);
      return;
    }
    const key = ownerCluster(o);
    if (key) this.queue.add(key);
  }

  /**
   * client-node's informer for one kind: its store becomes the kind's cache once it has listed,
   * and each event is in the store before a handler sees it (so a reconcile it triggers sees it
   * too). It relists by itself on a 410; after any other error it stops: restarted a second later.
   */
  private async informer(kind: keyof typeof ALL, synced: () => void): Promise<void> {
    const informer = this.kube.informer(ALL[kind]);
    informer.on('add', (o) => this.onEvent(kind, 'ADDED', o));
    informer.on('update', (o) => this.onEvent(kind, 'MODIFIED', o));
    informer.on('delete', (o) => this.onEvent(kind, 'DELETED', o));
    const start = async () => {
      if (this.abort.signal.aborted) return;
      await informer.start();
      if (!this.cache.has(kind) && informer.latestResourceVersion()) {
        this.cache.add(kind, informer);
        synced();
      }
    };
    informer.on('error', (e) => {
      if (this.abort.signal.aborted) return;
      this.log.error(e, 'Failed to watch', { ...CONTROLLER_FIELDS, source: kindSource(kind) });
      setTimeout(() => void start(), 1000);
    });
    this.abort.signal.addEventListener('abort', () => void informer.stop(), { once: true });
    await start();
  }

  private async worker(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const key = await this.queue.get();
      const [namespace, name] = key.split('/');
      const log = this.log.with(reconcileFields(namespace, name));
      try {
        const res = await reconcile({ ...this.deps, kube: readThroughCache(this.deps.kube, this.cache), log }, namespace, name);
        this.queue.forget(key);
        if (res.requeueAfterMs) this.queue.addAfter(key, res.requeueAfterMs);
      } catch (e) {
        // controller-runtime logs the returned error and retries with its per-item backoff.
        log.error(e, 'Reconciler error');
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async run(): Promise<void> {
    setMaxListeners(0, this.abort.signal); // one listener per open watch
    const kinds: Array<keyof typeof ALL> = ['PostgresCluster', 'Pod', ...OWNED];
    let pending = kinds.length;
    const allSynced = new Promise<void>((resolve) => {
      for (const k of kinds)
        void this.informer(k, () => {
          if (--pending === 0) resolve();
        });
    });
    logControllerStart(this.log, kinds);
    await allSynced;
    logWorkersStart(this.log, this.opts.workers);
    const timer = setInterval(() => {
      for (const key of this.clusters) this.queue.add(key);
    }, this.opts.resyncMs);
    this.abort.signal.addEventListener('abort', () => clearInterval(timer));
    await Promise.all(Array.from({ length: this.opts.workers }, () => this.worker()));
  }
}
