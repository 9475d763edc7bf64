// Names of the metrics Switchyard's functions publish (namespace `Switchyard`, dimension
// `service`), read by the deploy's dashboard (docs/deploy.md, "Watching the control plane"). Pure.

/** Published by every weight step (drain, restore, upgrade), with the dimension `cluster`. */
export const CLUSTER_WEIGHT_METRIC = 'ClusterWeightPercent';
/** Route 53 requests answered with throttling and retried. */
export const ROUTE53_THROTTLED_METRIC = 'Route53Throttled';
