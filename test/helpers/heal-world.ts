// Tests only: a small world for the heal and switchover verbs - objects in memory, a fake client
// whose PATCH honours resourceVersion (409 like the API server), and a stand-in for PGO that
// recreates the missing instance once nothing blocks it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import { applyMergePatch } from '../../lib/apply/merge-patch.ts';
import type { ApiClient, ListResult, RequestOptions, WatchEvent } from '../../lib/kube/api.ts';
import { ApiError } from '../../lib/kube/errors.ts';
import { LABEL, type KObject, type Snapshot } from '../../lib/model/types.ts';
import { repoRoot, sharedDir } from './hand-views.ts';
import { snapshotFromObjects } from './snapshot-from-yaml.ts';

function items(file: string): KObject[] {
  return (loadAll(readFileSync(file, 'utf8')) as KObject[]).flatMap((d) => (Array.isArray(d?.items) ? (d.items as KObject[]) : d ? [d] : []));
}

export const operatorDeployment = (available = 1): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'pgo', namespace: 'postgres-operator', labels: { [LABEL.controlPlane]: 'postgres-operator' } },
  spec: { replicas: 1, template: { metadata: { labels: { [LABEL.controlPlane]: 'postgres-operator' } } } },
  status: { availableReplicas: available, readyReplicas: available },
});

export class World implements ApiClient {
  readonly context = 'test';
  readonly server = 'https://127.0.0.1:1';
  readonly defaultNamespace = 'db';
  objects: KObject[];
  readonly requests: RequestOptions[] = [];
  private rv = 2000;
  /** Called before a PATCH is handled (to edit the object in between, as another person would). */
  beforePatch?: (w: World, req: RequestOptions) => void;
  /** The replica StatefulSet and pod PGO recreates once unblocked (undefined: PGO never does). */
  recreate?: KObject[];
  /** Looks the stand-in for PGO needs before it recreates (a reconcile or two). */
  recreateAfterLooks = 1;
  private looks = 0;
  /** Looks between the recreated pod appearing (Ready) and Patroni labelling it. */
  roleDelayLooks = 0;
  private labelAtLook?: number;
  operatorKnown = true;

  constructor(objects: KObject[]) {
    this.objects = objects;
  }

  /** The recorded healthy cluster: hippo-instance2-k5cc primary, hippo-instance1-hcjs replica. */
  static healthy(opts: { operator?: KObject | null } = {}): World {
    const objs = items(path.join(sharedDir, 'fixtures/pgo/v5.8.9/recorded/healthy.yaml'));
    if (opts.operator !== null) objs.push(opts.operator ?? operatorDeployment());
    return new World(objs);
  }

  /** How the PGO stand-in answers a switchover request: Patroni moves the leader and PGO records
   *  it; PGO records it without the leader moving (the timeline trap); or nothing happens. */
  switchover: 'works' | 'status-only' | 'never' = 'works';

  private actOnSwitchover(): void {
    const pc = this.cluster;
    const sw = pc.spec?.patroni?.switchover;
    const trigger = pc.metadata.annotations?.[LABEL.triggerSwitchover];
    if (!sw?.enabled || !trigger || pc.status?.patroni?.switchover === trigger || this.switchover === 'never') return;
    const pods = this.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.[LABEL.instance]);
    const target = pods.find((p) => p.metadata.labels?.[LABEL.instance] === sw.targetInstance);
    if (this.switchover === 'works' && target) {
      for (const p of pods) p.metadata.labels![LABEL.role] = p === target ? 'master' : 'replica';
      const ha = this.objects.find((o) => o.kind === 'Endpoints' && o.metadata.name === `${pc.metadata.name}-ha`);
      if (ha) ha.metadata.annotations = { ...ha.metadata.annotations, leader: target.metadata.name };
    }
    pc.status = { ...pc.status, patroni: { ...pc.status?.patroni, switchover: trigger } };
    this.bump(pc);
  }

  static incident(opts: { operator?: KObject | null } = {}): World {
    const objs = items(path.join(repoRoot, 'test/fixtures/incident/incident.yaml'));
    if (opts.operator !== null) objs.push(opts.operator ?? operatorDeployment());
    const w = new World(objs);
    // The switchover there targets the primary: PGO's step fails every time and records nothing.
    w.switchover = 'never';
    const recorded = items(path.join(sharedDir, 'fixtures/pgo/v5.8.9/recorded/switchover-stuck-target-is-primary.yaml'));
    w.recreate = recorded.filter((o) => (o.kind === 'StatefulSet' || o.kind === 'Pod') && o.metadata.name.startsWith('hippo-instance2-k5cc'));
    return w;
  }

  get cluster(): KObject {
    return this.objects.find((o) => o.kind === 'PostgresCluster')!;
  }

  get requestCount(): number {
    return this.requests.length;
  }

  patches(): RequestOptions[] {
    return this.requests.filter((r) => r.method === 'PATCH');
  }

  bump(o: KObject): void {
    o.metadata.resourceVersion = String(++this.rv);
  }

  /** What collect would see now; the PGO stand-in acts between looks. */
  snapshot(): Snapshot {
    this.looks++;
    if (this.looks > this.recreateAfterLooks) this.actOnSwitchover();
    const pc = this.cluster;
    const blocked = pc.spec?.patroni?.switchover?.enabled === true && !!pc.metadata.annotations?.[LABEL.triggerSwitchover] && pc.spec?.paused !== true;
    const operatorUp = this.objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'pgo' && (o.status?.availableReplicas ?? 0) > 0);
    if (!blocked && operatorUp && pc.spec?.paused !== true && this.recreate && this.looks > this.recreateAfterLooks) {
      for (const r of this.recreate) {
        if (this.objects.some((o) => o.kind === r.kind && o.metadata.name === r.metadata.name)) continue;
        const copy = structuredClone(r);
        // Patroni labels the member only once it runs: the pod is Ready before that.
        if (copy.kind === 'Pod' && this.roleDelayLooks > 0) {
          delete copy.metadata.labels![LABEL.role];
          this.labelAtLook = this.looks + this.roleDelayLooks;
        }
        this.objects.push(copy);
      }
    }
    if (this.labelAtLook !== undefined && this.looks >= this.labelAtLook) {
      const p = this.objects.find((o) => o.kind === 'Pod' && this.recreate?.some((r) => r.kind === 'Pod' && r.metadata.name === o.metadata.name));
      if (p) p.metadata.labels![LABEL.role] = 'replica';
      this.labelAtLook = undefined;
    }
    const snap = snapshotFromObjects(structuredClone(this.objects), { operatorKnown: this.operatorKnown, takenAt: new Date().toISOString() });
    snap.source = { kind: 'api', context: 'test' };
    return snap;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async request<T = any>(req: RequestOptions): Promise<T> {
    this.requests.push(structuredClone(req));
    if (req.method === 'GET') {
      const name = req.path.split('/').pop();
      const cm = this.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
      if (cm) return structuredClone(cm) as T;
    }
    if (req.method !== 'PATCH') throw new ApiError(`Error from server (NotFound): ${req.path} not found`, 404, 'NotFound');
    this.beforePatch?.(this, req);
    const pc = this.cluster;
    const body = req.body as KObject;
    const rv = body.metadata?.resourceVersion;
    if (rv !== undefined && rv !== pc.metadata.resourceVersion) {
      throw new ApiError(
        'Error from server (Conflict): Operation cannot be fulfilled on postgresclusters.postgres-operator.crunchydata.com "hippo": the object has been modified; please apply your changes to the latest version and try again',
        409,
        'Conflict',
      );
    }
    const next = applyMergePatch(pc, body) as KObject;
    if (req.query?.dryRun === 'All') return next as T;
    this.bump(next);
    this.objects[this.objects.indexOf(pc)] = next;
    return structuredClone(next) as T;
  }

  async list(): Promise<ListResult> {
    throw new Error('not used');
  }

  async watch(_p: string, _q: Record<string, string | undefined>, _on: (e: WatchEvent) => void, _s: AbortSignal): Promise<void> {
    throw new Error('not used');
  }
}
