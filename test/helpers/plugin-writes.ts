// Tests only: "the plugin changed nothing" as it must hold with ANY operator in the sandbox. The
// operator (PGO or the model) writes the cluster's status and finalizers on its own schedule, so
// resourceVersion moves without us; what the plugin could have written is its own managedFields
// entries (FIELD_MANAGER), the spec (and so metadata.generation), the annotations and the labels.
import { FIELD_MANAGER } from '../../lib/kube/client.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

export interface PluginView {
  uid: string;
  generation: number;
  spec: unknown;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  managedFields: unknown[];
}

/** The parts of an object a write by field manager `manager` would change. */
export function pluginView(obj: Obj, manager = FIELD_MANAGER): PluginView {
  const m = obj?.metadata ?? {};
  return {
    uid: m.uid,
    generation: m.generation,
    spec: obj?.spec,
    annotations: m.annotations ?? {},
    labels: m.labels ?? {},
    managedFields: (m.managedFields ?? []).filter((f: Obj) => f.manager === manager),
  };
}

/** Stable JSON: object keys sorted, so two reads that differ only in key order compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v as Obj).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Obj)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** What differs between two reads in the parts the plugin could have written; [] when nothing. */
export function pluginWrites(before: Obj, after: Obj, manager = FIELD_MANAGER): string[] {
  const a = pluginView(before, manager);
  const b = pluginView(after, manager);
  return (Object.keys(a) as Array<keyof PluginView>)
    .filter((k) => canonical(a[k]) !== canonical(b[k]))
    .map((k) => `${k}: ${canonical(a[k])} -> ${canonical(b[k])}`);
}

/** Throws, naming each changed part, when `after` shows a write the plugin could have made. */
export function assertNoPluginWrite(before: Obj, after: Obj, what = 'the object', manager = FIELD_MANAGER): void {
  const w = pluginWrites(before, after, manager);
  if (w.length) throw new Error(`${what} was written (field manager ${manager}, spec, annotations or labels):\n  ${w.join('\n  ')}`);
}
