// Status bookkeeping: a JSON merge patch from the status before to the status after a reconcile
// (what controller-runtime's client.MergeFrom sends), and condition helpers.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type J = any;

const isObj = (v: J) => v !== null && typeof v === 'object' && !Array.isArray(v);

export function deepEqual(a: J, b: J): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** RFC 7386 patch turning `before` into `after` (arrays replaced whole; removed keys -> null). */
export function mergePatch(before: J, after: J): J | undefined {
  if (!isObj(before) || !isObj(after)) return deepEqual(before, after) ? undefined : after;
  const patch: Record<string, J> = {};
  for (const k of Object.keys(before)) if (!(k in after) || after[k] === undefined) patch[k] = null;
  for (const k of Object.keys(after)) {
    if (after[k] === undefined) continue;
    if (!(k in before)) patch[k] = after[k];
    else {
      const sub = mergePatch(before[k], after[k]);
      if (sub !== undefined) patch[k] = sub;
    }
  }
  return Object.keys(patch).length ? patch : undefined;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** meta.SetStatusCondition: keeps lastTransitionTime unless the status flips. */
export function setCondition(list: Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>, now: string): Condition[] {
  const out = [...(list ?? [])];
  const i = out.findIndex((x) => x.type === c.type);
  if (i < 0) out.push({ ...c, lastTransitionTime: now });
  else out[i] = { ...c, lastTransitionTime: out[i].status === c.status ? out[i].lastTransitionTime : now };
  return out;
}

export function removeCondition(list: Condition[] | undefined, type: string): Condition[] | undefined {
  if (!list) return list;
  return list.filter((x) => x.type !== type);
}
