// What `status` keeps of each list it makes (dump, diff and the writing verbs list whole objects).
// Database pods and StatefulSets: only what the checks, views and report read (the fields
// lib/snapshot/shape.ts holds them to, and the rest of their metadata and status as far as
// pb-schema.ts names it); their spec mostly goes. PVCs, Endpoints and Services: their metadata
// (names, labels, the leader's annotations), all status reads of them. These built-in kinds are
// asked for in protobuf, where what goes is skipped by its length; a JSON answer or a watch event
// gets the same through the projection made from the same messages. The PostgresClusters, Events,
// Jobs and Deployments: all but managedFields' fieldsV1.
import type { ListOptions } from './api.ts';
import { METADATA_ONLY, POD, STATEFUL_SET, projectionOf } from './pb-schema.ts';
import { WITHOUT_FIELDS_V1, type Projection } from './projection.ts';
import type { PbMessage } from './pb-decode.ts';

/** An item of a LIST carries no kind or apiVersion; a watch event's object does, and keeps them. */
const item = (m: PbMessage): Projection => {
  const p = projectionOf(m);
  return { ...p, only: ['apiVersion', 'kind', ...(p.only ?? [])] };
};

export const STATUS_MESSAGES = { pods: POD, statefulSets: STATEFUL_SET, pvcs: METADATA_ONLY, endpoints: METADATA_ONLY, services: METADATA_ONLY } satisfies Record<string, PbMessage>;
type ProjectedList = keyof typeof STATUS_MESSAGES;
export const STATUS_PROJECTIONS = Object.fromEntries(Object.entries(STATUS_MESSAGES).map(([k, m]) => [k, item(m)])) as Record<ProjectedList, Projection>;

const isProjected = (list: string): list is ProjectedList => Object.hasOwn(STATUS_MESSAGES, list);

/** What status keeps of the objects of a list (a Snapshot list name). */
export function statusProjection(list: string): Projection {
  return isProjected(list) ? STATUS_PROJECTIONS[list] : WITHOUT_FIELDS_V1;
}

/** How status lists a Snapshot list. */
export function statusListOptions(list: string): ListOptions {
  return isProjected(list) ? { projection: STATUS_PROJECTIONS[list], message: STATUS_MESSAGES[list] } : { projection: WITHOUT_FIELDS_V1 };
}
