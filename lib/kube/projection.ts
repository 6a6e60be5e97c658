// What of a listed object is kept: most of a pod's or a StatefulSet's bytes (its containers' env,
// probes and mounts, its volumes, a StatefulSet's whole pod template) and managedFields' fieldsV1
// are read by nothing that status does. A Projection names what goes; the LIST decoder
// (list-decoder.ts) then does not even parse those values, and project() below is the meaning:
// the decoder's result is always exactly project(JSON.parse(item)).

export interface Projection {
  /** Only these keys of the object are kept. */
  only?: readonly string[];
  /** These keys of the object are dropped. */
  drop?: readonly string[];
  /** The rules for the values of these keys (when kept). */
  fields?: Readonly<Record<string, Projection>>;
  /** The rule for every element, when the value is an array. */
  each?: Projection;
}

/** A key's fate: dropped, or kept (with the rule for its value, if any). */
export const DROP = 1;
export type Decision = typeof DROP | CompiledProjection | null;

/** A Projection as the decoder's hot loop reads it: the decided keys as bytes, a decision each. */
export interface CompiledProjection {
  readonly names: Buffer[];
  readonly decisions: Decision[];
  /** The fate of any key not named: dropped under `only`, else kept as it is. */
  readonly otherwise: typeof DROP | null;
  readonly each: CompiledProjection | null;
  readonly byName: ReadonlyMap<string, Decision>;
}

const compiled = new WeakMap<Projection, CompiledProjection>();

export function compileProjection(p: Projection): CompiledProjection {
  const known = compiled.get(p);
  if (known) return known;
  const byName = new Map<string, Decision>();
  const only = p.only ? new Set(p.only) : undefined;
  for (const k of p.only ?? []) byName.set(k, null);
  for (const [k, sub] of Object.entries(p.fields ?? {})) if (!only || only.has(k)) byName.set(k, compileProjection(sub));
  for (const k of p.drop ?? []) byName.set(k, DROP);
  const c: CompiledProjection = {
    names: [...byName.keys()].map((k) => Buffer.from(k)),
    decisions: [...byName.values()],
    otherwise: only ? DROP : null,
    each: p.each ? compileProjection(p.each) : null,
    byName,
  };
  compiled.set(p, c);
  return c;
}

/**
 * The projection of a parsed value: arrays and objects that keep every key are changed in place;
 * an object that loses keys is copied with the others (deleting them one by one would turn it
 * into a slow dictionary, thousands of times per list).
 */
export function project(v: unknown, p: CompiledProjection): unknown {
  if (Array.isArray(v)) {
    const each = p.each;
    if (each) for (let i = 0; i < v.length; i++) v[i] = project(v[i], each);
    return v;
  }
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let dropped = false;
  for (const k of keys) if ((p.byName.has(k) ? p.byName.get(k) : p.otherwise) === DROP) dropped = true;
  const out: Record<string, unknown> = dropped ? {} : o;
  for (const k of keys) {
    const d = p.byName.has(k) ? p.byName.get(k)! : p.otherwise;
    if (d === DROP) continue;
    const value = d === null ? o[k] : project(o[k], d);
    // An own "__proto__" (JSON.parse makes one) must stay a plain property, not become the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value, writable: true, enumerable: true, configurable: true });
    else out[k] = value;
  }
  return out;
}

/** Every object of the API: managedFields entries keep who wrote what and when, not the field sets. */
const METADATA: Projection = { fields: { managedFields: { each: { drop: ['fieldsV1'] } } } };
export const WITHOUT_FIELDS_V1: Projection = { fields: { metadata: METADATA } };
