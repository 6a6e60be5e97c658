// --to: an instance (StatefulSet) name, its pod name, or an unambiguous set name or name suffix.
import type { ClusterView, InstanceView } from '../view/cluster-view.ts';
import type { Refusal } from './types.ts';

export function podNameOf(inst: InstanceView): string {
  return inst.pod?.metadata.name ?? `${inst.name}-0`;
}

export type Resolution = { instance: InstanceView; how: string } | { refusal: Refusal };

export function resolveTarget(view: ClusterView, to: string): Resolution {
  const all = view.instances;
  const names = all.map((i) => i.name).join(', ') || 'none';
  const where = `${view.namespace}/${view.name}`;
  const one = (list: InstanceView[], how: string): Resolution | undefined => {
    if (list.length === 1) return { instance: list[0], how };
    if (list.length > 1) {
      return {
        refusal: {
          code: 'TargetAmbiguous',
          message: `--to ${to} matches ${list.length} instances of ${where} (${list.map((i) => i.name).join(', ')}): name one instance`,
        },
      };
    }
    return undefined;
  };
  return (
    one(all.filter((i) => i.name === to), 'instance name') ??
    one(all.filter((i) => podNameOf(i) === to), 'pod name') ??
    one(all.filter((i) => i.set === to), `instance set ${to}`) ??
    one(all.filter((i) => i.name.endsWith(`-${to}`)), `name suffix ${to}`) ?? {
      refusal: { code: 'TargetNotFound', message: `--to ${to}: no instance of ${where} has that instance, pod, set name or suffix (instances: ${names})` },
    }
  );
}
