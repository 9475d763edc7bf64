// Names of the metrics Switchyard publishes: the functions' (namespace `Switchyard`, dimension
// `service`), read by the deploy's dashboard (docs/deploy.md, "Watching the control plane"),
// and the edges' canary metric the upstream alarms read (docs/edge.md, "Health"). Pure.

/** Published by every weight step (drain, restore, upgrade), with the dimension `cluster`. */
export const CLUSTER_WEIGHT_METRIC = 'ClusterWeightPercent';
/** Route 53 requests answered with throttling and retried. */
export const ROUTE53_THROTTLED_METRIC = 'Route53Throttled';

/**
 * Published by the edges' canaries (the agent on an edge cluster, src/agent/upstream-canary.ts):
 * 1 when a workload cluster answered its canary through its own load balancer, 0 when not.
 * A namespace of its own, so an edge agent's role may publish this and nothing else.
 */
export const UPSTREAM_METRIC = { namespace: 'Switchyard/Upstream', name: 'Reachable', dimension: 'Cluster' } as const;
