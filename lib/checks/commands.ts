// Commands a person can paste. Names in Kubernetes are DNS labels/subdomains, so they need no
// quoting; JSON payloads go in single quotes.
import type { ClusterView } from '../view/cluster-view.ts';
import { LABEL } from '../model/types.ts';

const target = (v: ClusterView) => `postgrescluster ${v.name} -n ${v.namespace}`;

export function mergePatch(v: ClusterView, patch: unknown): string {
  return `kubectl patch ${target(v)} --type merge -p '${JSON.stringify(patch)}'`;
}

export const disableSwitchover = (v: ClusterView) =>
  mergePatch(v, { spec: { patroni: { switchover: { enabled: false } } } });

export const removeTrigger = (v: ClusterView) => `kubectl annotate ${target(v)} ${LABEL.triggerSwitchover}-`;

export const heal = (v: ClusterView) => `kubectl pgo heal ${v.name} -n ${v.namespace}`;

export const annotate = (v: ClusterView, key: string, value: string) =>
  `kubectl annotate ${target(v)} ${key}=${value} --overwrite`;

export const describe = (kind: string, name: string, ns: string) => `kubectl describe ${kind} ${name} -n ${ns}`;

export const logs = (pod: string, ns: string, container?: string, previous = false) =>
  `kubectl logs ${pod} -n ${ns}${container ? ` -c ${container}` : ''}${previous ? ' --previous' : ''}`;
