// Findings filed by cluster once, so a per-cluster question (health, report, diff, plan) costs
// its own findings and not the fleet's: filtering every finding for every cluster made 2,000
// clusters take minutes. The index is kept per findings array and rebuilt if the array grew.
import type { ClusterRef, Finding } from './types.ts';

const cache = new WeakMap<readonly Finding[], { n: number; map: Map<string, Finding[]> }>();
const NONE: Finding[] = [];

const keyOf = (ref: ClusterRef | null) => (ref ? `${ref.namespace}/${ref.name}` : '');

function index(findings: readonly Finding[]): Map<string, Finding[]> {
  let c = cache.get(findings);
  if (!c || c.n !== findings.length) {
    const map = new Map<string, Finding[]>();
    for (const f of findings) {
      const k = keyOf(f.cluster);
      const list = map.get(k);
      if (list) list.push(f);
      else map.set(k, [f]);
    }
    cache.set(findings, (c = { n: findings.length, map }));
  }
  return c.map;
}

/** The findings about this cluster, in their order in `findings`. */
export function findingsAbout(findings: readonly Finding[], ref: ClusterRef): Finding[] {
  return index(findings).get(keyOf(ref)) ?? NONE;
}

/** The findings about no cluster (the operator's, cluster-wide gaps). */
export function findingsAboutNone(findings: readonly Finding[]): Finding[] {
  return index(findings).get('') ?? NONE;
}
