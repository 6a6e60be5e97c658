// What `dump` leaves out of the objects it writes, so a dump can be handed to someone who may not
// see credentials (README "Handing over a dump"):
// - every env `value` of every container, init container and ephemeral container (pods, and the
//   pod templates of Deployments, StatefulSets and Jobs): replaced by REDACTED; `valueFrom` (a
//   reference, not a value) is kept. The checks read no env value.
// - the annotation kubectl.kubernetes.io/last-applied-configuration (a whole copy of a manifest,
//   which may carry anything), and any annotation whose key names a credential
//   (password, passwd, secret, token, credential, private key, api key).
// Secrets are never read in the first place.
import type { KObject } from '../model/types.ts';

export const REDACTED = '(redacted by kubectl pgo dump)';
const DROPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const CREDENTIAL_KEY = /pass(word|wd)?\b|passw|secret|token|credential|private[-_.]?key|api[-_.]?key/i;

export interface Redactions {
  envValues: number;
  annotations: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function podSpecs(o: KObject): Any[] {
  if (o.kind === 'Pod') return [o.spec];
  return [o.spec?.template?.spec, o.spec?.jobTemplate?.spec?.template?.spec];
}

function redactContainers(spec: Any, r: Redactions): void {
  if (!spec || typeof spec !== 'object') return;
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!c || !Array.isArray(c.env)) continue;
      for (const e of c.env) {
        if (e && typeof e === 'object' && 'value' in e) {
          e.value = REDACTED;
          r.envValues++;
        }
      }
    }
  }
}

function redactAnnotations(meta: Any, r: Redactions): void {
  const a = meta?.annotations;
  if (!a || typeof a !== 'object') return;
  for (const k of Object.keys(a)) {
    if (DROPPED_ANNOTATIONS.has(k) || CREDENTIAL_KEY.test(k)) {
      delete a[k];
      r.annotations++;
    }
  }
}

/** A redacted deep copy of each object, and what was taken out. */
export function sanitize(objects: KObject[]): { objects: KObject[]; redactions: Redactions } {
  const r: Redactions = { envValues: 0, annotations: 0 };
  const out = objects.map((o) => {
    const c: KObject = structuredClone(o);
    redactAnnotations(c.metadata, r);
    redactAnnotations(c.spec?.template?.metadata, r);
    for (const spec of podSpecs(c)) redactContainers(spec, r);
    return c;
  });
  return { objects: out, redactions: r };
}
