// What a writer needs to know about one change: which object, the exact patch, and why.
// Plans are data: they are printed, compared, sent with dryRun, or written - never improvised.

export type DryRun = 'none' | 'client' | 'server';

export interface ObjectRef {
  apiVersion: string; // e.g. postgres-operator.crunchydata.com/v1beta1
  kind: string; // e.g. PostgresCluster
  plural: string; // e.g. postgresclusters
  namespace: string;
  name: string;
}

export interface Reason {
  /** Finding code the change answers (SwitchoverBlocked ...), or the verb's own purpose ("Switchover"). */
  code: string;
  /** One line for a person: the finding's message. */
  finding: string;
  /** Why this change lets PGO converge. */
  why: string;
}

export interface Change {
  target: ObjectRef;
  /** resourceVersion of the object the change was planned from: the write is conditional on it. */
  resourceVersion: string;
  /** merge: RFC 7386 merge patch carrying metadata.resourceVersion (409 when the object moved on). */
  patchType: 'merge';
  patch: Record<string, unknown>;
  /** What the patch does, one line ("disable spec.patroni.switchover and remove the trigger annotation"). */
  summary: string;
  reasons: Reason[];
}

/** A plan and the objects it was computed from (their "before", saved as backups before writing). */
export interface Planned {
  changes: Change[];
  /** Keyed by refKey(change.target). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  before: Map<string, any>;
}

export function refKey(r: Pick<ObjectRef, 'namespace' | 'name' | 'plural'>): string {
  return `${r.plural}/${r.namespace}/${r.name}`;
}

export function refText(r: ObjectRef): string {
  return `${r.kind} ${r.namespace}/${r.name}`;
}
