// Who is primary: Patroni's role labels on the pods against the leader lease it keeps in the
// <cluster>-ha Endpoints. They should name the same pod.
import type { Finding, KObject } from '../model/types.ts';
import { LABEL } from '../model/types.ts';
import type { ClusterView } from '../view/cluster-view.ts';
import { normaliseRole } from '../view/patroni.ts';
import { finding, readable, type Check } from './context.ts';

const patronictlList = (v: ClusterView, pod?: string) =>
  `kubectl get pods -n ${v.namespace} -l ${LABEL.cluster}=${v.name} -L ${LABEL.role}` +
  (pod ? `\n  kubectl exec -n ${v.namespace} ${pod} -c database -- patronictl list` : '');

function checkCluster(v: ClusterView): Finding[] {
  if (v.shutdown || !readable(v, 'pods')) return [];
  const instancePods: KObject[] = v.instances.flatMap((i) => i.pods ?? (i.pod ? [i.pod] : []));
  const masters = instancePods.filter((p) => normaliseRole(p.metadata.labels?.[LABEL.role]) === 'master');
  const anyPod = instancePods.find((p) => p.status?.phase === 'Running')?.metadata.name;
  const out: Finding[] = [];
  const subject = `PostgresCluster/${v.name}`;
  // A cluster that never bootstrapped has no primary yet; that is creation, not failure.
  const initialised = !!v.object.status?.patroni?.systemIdentifier;

  if (masters.length === 0 && initialised) {
    out.push(finding(v, {
      code: 'NoPrimary',
      severity: 'error',
      subject,
      message: `No pod of ${v.namespace}/${v.name} is labelled primary (role=master) among ${instancePods.length} instance pods` +
        (v.leader ? `; the leader lease still names ${v.leader}` : ''),
      detail: `The ${v.name}-primary Service has no endpoint, so writes fail. Patroni promotes a replica when one is healthy and ` +
        'in sync enough; when none is, the cluster stays read-only or down until a member can be started.',
      remedy: `See what Patroni thinks:\n  ${patronictlList(v, anyPod)}`,
      data: { pods: instancePods.length, leader: v.leader ?? null },
    }));
  }
  if (masters.length > 1) {
    const names = masters.map((p) => p.metadata.name);
    out.push(finding(v, {
      code: 'MultiplePrimaries',
      severity: 'error',
      subject,
      message: `${masters.length} pods are labelled primary: ${names.join(', ')}` + (v.leader ? ` (leader lease: ${v.leader})` : ''),
      detail: `Clients of the ${v.name}-primary Service may write to more than one server (split brain), or labels are stale after a partition.`,
      remedy: `Find the real leader and stop writes to the others:\n  ${patronictlList(v, v.leader && names.includes(v.leader) ? v.leader : names[0])}`,
      data: { pods: names, leader: v.leader ?? null },
    }));
  }
  if (masters.length === 1 && readable(v, 'endpoints')) {
    const m = masters[0].metadata.name;
    if (!v.leader) {
      out.push(finding(v, {
        code: 'LeaderMismatch',
        severity: 'warning',
        subject: `Endpoints/${v.name}-ha`,
        message: `Pod ${m} is labelled primary but ${v.haEndpoints ? `Endpoints ${v.name}-ha names no leader` : `Endpoints ${v.name}-ha does not exist`}`,
        detail: 'Patroni keeps its leader lease in that Endpoints object; without it the label may be stale and a new election may follow.',
        remedy: `Check Patroni's view:\n  ${patronictlList(v, m)}`,
        data: { labelled: m, leader: null },
      }));
    } else if (v.leader !== m) {
      out.push(finding(v, {
        code: 'LeaderMismatch',
        severity: 'warning',
        subject: `Pod/${m}`,
        message: `Pod ${m} is labelled primary but the leader lease (Endpoints ${v.name}-ha) names ${v.leader}`,
        detail: `The ${v.name}-primary Service follows the label, Patroni follows the lease: while they disagree, clients may reach a server that is not the leader. Usually a failover in progress.`,
        remedy: `Check again in a few seconds; if it persists:\n  ${patronictlList(v, m)}`,
        data: { labelled: m, leader: v.leader },
      }));
    }
  }
  return out;
}

export const primaryCheck: Check = { codes: ['NoPrimary', 'MultiplePrimaries', 'LeaderMismatch'], phase: 2, run: (ctx) => ctx.views.flatMap(checkCluster) };
