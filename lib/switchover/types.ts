export type SwitchoverType = 'Switchover' | 'Failover';

/** One reason not to start: stable code for machines, one line for people. Nothing is changed. */
export interface Refusal {
  code:
    | 'TooFewInstances'
    | 'TargetNotFound'
    | 'TargetAmbiguous'
    | 'TargetIsPrimary'
    | 'TargetNotReplica'
    | 'TargetNotReady'
    | 'TargetPodCount'
    | 'TargetNoStatefulSet'
    | 'TargetLagging'
    | 'TargetLagUnknown'
    | 'TargetNoFailover'
    | 'NoCandidate'
    | 'NoPrimary'
    | 'FailoverNeedsTarget'
    | 'ClusterPaused'
  | 'ClusterUnreadable'
    | 'ClusterShutdown'
    | 'SwitchoverPending'
    | 'OperatorMissing'
    | 'OperatorNotReady';
  message: string;
}
