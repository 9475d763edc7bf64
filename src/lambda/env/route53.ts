// The function's one Route 53 adapter: the DNS port and the health source share it (and
// so its client and, like every adapter of the process, the one Route 53 rate limiter).
// Each throttled request it retries is counted (the dashboard's Route 53 throttles).
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createRoute53Client, Route53Adapter } from '../../aws/route53.ts';
import { isThrottling } from '../../aws/retry.ts';
import { ROUTE53_THROTTLED_METRIC } from '../../core/metric-names.ts';
import { metrics } from '../handler.ts';
import { traced } from '../tracing.ts';

const adapters = new WeakMap<NodeJS.ProcessEnv, Route53Adapter>();

export function route53FromEnv(env: NodeJS.ProcessEnv): Route53Adapter {
  let adapter = adapters.get(env);
  if (adapter === undefined) {
    adapter = new Route53Adapter({
      client: traced(createRoute53Client({}, env)),
      retry: { onRetry: ({ error }) => (isThrottling(error) ? metrics.addMetric(ROUTE53_THROTTLED_METRIC, MetricUnit.Count, 1) : undefined) },
    });
    adapters.set(env, adapter);
  }
  return adapter;
}
