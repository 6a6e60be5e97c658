// The operator itself: nothing converges without it, and a version that does not match the
// installed CRDs may misread or drop fields.
import type { Finding, KObject } from '../model/types.ts';
import { isPodReady } from '../view/pods.ts';
import { finding, type Check, type CheckContext } from './context.ts';

const SEMVER = /(\d+)\.(\d+)\.(\d+)/;

/** The operator's version: its app.kubernetes.io/version label, else the tag of its image. */
export function operatorVersion(d: KObject): string | undefined {
  const label = d.metadata.labels?.['app.kubernetes.io/version'] ?? d.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'];
  const fromLabel = typeof label === 'string' ? SEMVER.exec(label)?.[0] : undefined;
  if (fromLabel) return fromLabel;
  const containers: Array<{ name?: string; image?: string }> = d.spec?.template?.spec?.containers ?? [];
  const c = containers.find((x) => x.name === 'operator') ?? containers[0];
  const tag = c?.image?.includes(':') ? c.image.slice(c.image.lastIndexOf(':') + 1) : undefined;
  return tag ? SEMVER.exec(tag)?.[0] : undefined;
}

const ref = (d: KObject) => `${d.metadata.namespace ?? ''}/${d.metadata.name}`;

function run(ctx: CheckContext): Finding[] {
  const { operator, pgo } = ctx.snap;
  if (!operator.known) return [];
  const out: Finding[] = [];
  if (operator.deployments.length === 0) {
    out.push(finding(null, {
      code: 'OperatorMissing',
      severity: 'error',
      subject: 'Deployment/pgo',
      message: 'No PGO operator Deployment found (no Deployment whose pods carry postgres-operator.crunchydata.com/control-plane, in any namespace)',
      detail: 'Without the operator nothing reconciles: missing instances are not recreated, switchovers do not happen, backups are not scheduled.',
      remedy: 'Reinstall or scale up the operator, e.g.:\n  kubectl get deployments -A -l app.kubernetes.io/name=pgo\n  kubectl scale deployment pgo -n postgres-operator --replicas=1',
      blocking: true,
      data: {},
    }));
    return out;
  }
  const ready = operator.deployments.filter((d) => (d.status?.availableReplicas ?? 0) > 0 || (d.status?.readyReplicas ?? 0) > 0);
  const readyPods = operator.pods.filter((p) => isPodReady(p) && !p.metadata.deletionTimestamp);
  if (ready.length === 0 && readyPods.length === 0) {
    const d = operator.deployments[0];
    const ns = d.metadata.namespace ?? 'default';
    const wanted = d.spec?.replicas ?? 1;
    out.push(finding(null, {
      code: 'OperatorNotReady',
      severity: 'error',
      subject: `Deployment/${d.metadata.name}`,
      message: wanted === 0
        ? `PGO operator Deployment ${ref(d)} is scaled to 0`
        : `PGO operator Deployment ${ref(d)} has 0 of ${wanted} replicas available`,
      detail: 'No operator pod is running, so nothing reconciles: missing instances are not recreated, switchovers do not happen.',
      remedy: wanted === 0
        ? `kubectl scale deployment ${d.metadata.name} -n ${ns} --replicas=1`
        : `Find out why its pod does not run:\n  kubectl describe deployment ${d.metadata.name} -n ${ns}\n  kubectl get pods -n ${ns} -l postgres-operator.crunchydata.com/control-plane`,
      blocking: true,
      data: { deployment: d.metadata.name, namespace: ns, replicas: wanted, available: d.status?.availableReplicas ?? 0 },
    }));
  }
  const crd = pgo.crdVersion ? SEMVER.exec(pgo.crdVersion)?.[0] : undefined;
  if (crd) {
    for (const d of operator.deployments) {
      const v = operatorVersion(d);
      if (!v || v === crd) continue;
      out.push(finding(null, {
        code: 'OperatorVersionSkew',
        severity: 'warning',
        subject: `Deployment/${d.metadata.name}`,
        message: `PGO operator ${ref(d)} is version ${v} but the postgresclusters CRD is ${crd}`,
        detail: 'An operator older or newer than its CRDs may not know fields of the spec (they are ignored or dropped) or may expect fields the CRD does not keep.',
        remedy: `Upgrade the operator and its CRDs together, from the same release (${v} or ${crd}).`,
        data: { deployment: d.metadata.name, namespace: d.metadata.namespace ?? null, operatorVersion: v, crdVersion: crd },
      }));
    }
  }
  return out;
}

export const operatorCheck: Check = { codes: ['OperatorMissing', 'OperatorNotReady', 'OperatorVersionSkew'], phase: 1, run };
