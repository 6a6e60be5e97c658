// The protobuf messages `status` reads of database pods and StatefulSets, with the field numbers of
// k8s.io/api's generated.proto and the JSON names and omitempty/pointer rules of its types.go
// (k8s.io/api and apimachinery v0.36; numbers never change meaning across versions). Only what is
// named here is read: a pod's spec beyond nodeName and its containers' names and images, and
// the status fields nothing reads (resources, volume mounts, claims), are skipped by length.
// statusListProjection() turns the same messages into the JSON projection, so a server that
// answers in JSON (or a watch event) gives exactly the objects protobuf does.
import { pbMessage, type FieldKind, type PbField, type PbMessage, type Presence } from './pb-decode.ts';
import type { Projection } from './projection.ts';

const field = (no: number, name: string, kind: FieldKind, presence: Presence, message?: PbMessage, repeated = false): PbField =>
  ({ no, name, kind, presence, repeated, ...(message ? { message } : {}) });
const str = (no: number, name: string, presence: Presence = 'omit') => field(no, name, 'string', presence);
const int = (no: number, name: string, presence: Presence = 'omit') => field(no, name, 'int', presence);
const bool = (no: number, name: string, presence: Presence = 'omit') => field(no, name, 'bool', presence);
const time = (no: number, name: string, presence: Presence = 'zero') => field(no, name, 'time', presence);
const msg = (no: number, name: string, m: PbMessage, presence: Presence = 'zero') => field(no, name, 'message', presence, m);
const map = (no: number, name: string) => field(no, name, 'map', 'omit');
const list = (no: number, name: string, m: PbMessage | 'string', presence: Presence = 'omit') =>
  m === 'string' ? field(no, name, 'string', presence, undefined, true) : field(no, name, 'message', presence, m, true);

const OWNER_REFERENCE = pbMessage([
  str(1, 'kind', 'zero'), str(3, 'name', 'zero'), str(4, 'uid', 'zero'), str(5, 'apiVersion', 'zero'),
  bool(6, 'controller', 'set'), bool(7, 'blockOwnerDeletion', 'set'),
]);
/** fieldsV1 (7) is not named: who wrote and when is read (SpecNotObserved), never the field sets. */
const MANAGED_FIELDS_ENTRY = pbMessage([
  str(1, 'manager'), str(2, 'operation'), str(3, 'apiVersion'), time(4, 'time', 'set'), str(6, 'fieldsType'), str(8, 'subresource'),
]);
export const OBJECT_META = pbMessage([
  str(1, 'name'), str(2, 'generateName'), str(3, 'namespace'), str(4, 'selfLink'), str(5, 'uid'), str(6, 'resourceVersion'),
  int(7, 'generation'), time(8, 'creationTimestamp', 'omit'), time(9, 'deletionTimestamp', 'set'), int(10, 'deletionGracePeriodSeconds', 'set'),
  map(11, 'labels'), map(12, 'annotations'), list(13, 'ownerReferences', OWNER_REFERENCE), list(14, 'finalizers', 'string'),
  list(17, 'managedFields', MANAGED_FIELDS_ENTRY),
]);
export const LIST_META = pbMessage([str(1, 'selfLink'), str(2, 'resourceVersion'), str(3, 'continue'), int(4, 'remainingItemCount', 'set')]);
/** runtime.TypeMeta of the envelope (runtime.Unknown): its own numbering, not metav1's. */
export const ENVELOPE_TYPE_META = pbMessage([str(1, 'apiVersion'), str(2, 'kind')]);
export const STATUS = pbMessage([
  str(2, 'status'), str(3, 'message'), str(4, 'reason'),
  msg(5, 'details', pbMessage([
    str(1, 'name'), str(2, 'group'), str(3, 'kind'),
    list(4, 'causes', pbMessage([str(1, 'reason'), str(2, 'message'), str(3, 'field')])),
    int(5, 'retryAfterSeconds'), str(6, 'uid'),
  ]), 'set'),
  int(6, 'code'),
]);

const CONTAINER = pbMessage([str(1, 'name', 'zero'), str(2, 'image')]);
const POD_CONDITION = pbMessage([
  str(1, 'type', 'zero'), str(2, 'status', 'zero'), time(3, 'lastProbeTime'), time(4, 'lastTransitionTime'),
  str(5, 'reason'), str(6, 'message'), int(7, 'observedGeneration'),
]);
const CONTAINER_STATE = pbMessage([
  msg(1, 'waiting', pbMessage([str(1, 'reason'), str(2, 'message')]), 'set'),
  msg(2, 'running', pbMessage([time(1, 'startedAt')]), 'set'),
  msg(3, 'terminated', pbMessage([
    int(1, 'exitCode', 'zero'), int(2, 'signal'), str(3, 'reason'), str(4, 'message'),
    time(5, 'startedAt'), time(6, 'finishedAt'), str(7, 'containerID'),
  ]), 'set'),
]);
const CONTAINER_STATUS = pbMessage([
  str(1, 'name', 'zero'), msg(2, 'state', CONTAINER_STATE), msg(3, 'lastState', CONTAINER_STATE), bool(4, 'ready', 'zero'),
  int(5, 'restartCount', 'zero'), str(6, 'image', 'zero'), str(7, 'imageID', 'zero'), str(8, 'containerID'),
  bool(9, 'started', 'set'), str(15, 'stopSignal', 'set'),
]);
const IP = pbMessage([str(1, 'ip', 'zero')]);

export const POD = pbMessage([
  msg(1, 'metadata', OBJECT_META),
  msg(2, 'spec', pbMessage([list(2, 'containers', CONTAINER, 'zero'), str(10, 'nodeName'), list(20, 'initContainers', CONTAINER)])),
  msg(3, 'status', pbMessage([
    str(1, 'phase'), list(2, 'conditions', POD_CONDITION), str(3, 'message'), str(4, 'reason'), str(5, 'hostIP'), str(6, 'podIP'),
    time(7, 'startTime', 'set'), list(8, 'containerStatuses', CONTAINER_STATUS), str(9, 'qosClass'),
    list(10, 'initContainerStatuses', CONTAINER_STATUS), str(11, 'nominatedNodeName'), list(12, 'podIPs', IP),
    list(13, 'ephemeralContainerStatuses', CONTAINER_STATUS), str(14, 'resize'), list(16, 'hostIPs', IP), int(17, 'observedGeneration'),
  ])),
]);

export const STATEFUL_SET = pbMessage([
  msg(1, 'metadata', OBJECT_META),
  msg(2, 'spec', pbMessage([int(1, 'replicas', 'set')])),
  msg(3, 'status', pbMessage([
    int(1, 'observedGeneration'), int(2, 'replicas', 'zero'), int(3, 'readyReplicas'), int(4, 'currentReplicas'),
    int(5, 'updatedReplicas'), str(6, 'currentRevision'), str(7, 'updateRevision'), int(9, 'collisionCount', 'set'),
    list(10, 'conditions', pbMessage([
      str(1, 'type', 'zero'), str(2, 'status', 'zero'), time(3, 'lastTransitionTime'), str(4, 'reason'), str(5, 'message'),
    ])),
    int(11, 'availableReplicas', 'zero'),
  ])),
]);

/** Any object of which only its metadata is read (status: PVCs, Endpoints, Services). */
export const METADATA_ONLY = pbMessage([msg(1, 'metadata', OBJECT_META)]);

/** A CustomResourceDefinition as discovery reads it: its labels (the PGO release) and which versions
 *  it serves; its schemas (~1.4 MB of JSON for PostgresCluster's) are skipped unread. */
export const CRD_VERSIONS = pbMessage([
  msg(1, 'metadata', OBJECT_META),
  msg(2, 'spec', pbMessage([list(7, 'versions', pbMessage([str(1, 'name', 'zero'), bool(2, 'served', 'zero')]))])),
]);

/** The JSON projection that keeps exactly the fields a message names. */
export function projectionOf(m: PbMessage): Projection {
  const fields: Record<string, Projection> = {};
  for (const f of m.fields) {
    if (f.kind !== 'message') continue;
    const sub = projectionOf(f.message!);
    fields[f.name] = f.repeated ? { each: sub } : sub;
  }
  return { only: m.fields.map((f) => f.name), fields };
}
