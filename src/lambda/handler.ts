// The middy shell every functions/<name>.ts handler is: Powertools logger and metrics
// around the plain task, deps built once per container from the environment (see
// src/lambda/env/). Locally the same tasks run in process with injected deps.
//
// Environment (set by the deploy, stacks/deployment.ts):
//   SWITCHYARD_FLEET_FILE       fleet.yaml bundled with the function
//   SWITCHYARD_STAGE            the deployment stage (its alarms are switchyard-<stage>-<ownerId>-...)
//   SWITCHYARD_TABLE            the state table
//   SWITCHYARD_STATE_MACHINES   JSON: workflow name → state machine ARN (router)
//   SWITCHYARD_DISCOVERY        eks (default) | manifests | none — where Reconcile reads Gateways
//   AWS_ENDPOINT_URL            the SDK's own: every client goes there (the local runtime)
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { errorMessage, SwitchyardError } from '../core/errors.ts';
import type { Deps } from '../core/ports.ts';
import { CLUSTER_WEIGHT_METRIC } from '../core/metric-names.ts';
import { SERVICE_NAME } from './service.ts';
import { loadTracing } from './tracing.ts';

export { SERVICE_NAME };

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Switchyard' });
/** Powertools Tracer's middleware when the fleet turns tracing on (src/lambda/tracing.ts), loaded once per container. */
const tracing = await loadTracing();

export type TaskFactory = (deps: Deps) => (input: unknown) => Promise<unknown>;

/**
 * The Lambda handler of one task: logs the outcome (named errors with their context),
 * counts successes and failures by error name, and rethrows so Step Functions sees the
 * error by name.
 */
export function lambdaHandler(name: string, factory: TaskFactory, deps: () => Promise<Deps>) {
  let task: ((input: unknown) => Promise<unknown>) | undefined;
  const run = async (event: unknown, _context: Context): Promise<unknown> => {
    try {
      task ??= factory(await deps());
      const result = await task(event);
      metrics.addMetric(`${name}Succeeded`, MetricUnit.Count, 1);
      const weight = weightStep(event, result);
      if (weight) {
        const single = metrics.singleMetric();
        single.addDimension('cluster', weight.cluster);
        single.addMetric(CLUSTER_WEIGHT_METRIC, MetricUnit.Percent, weight.percent);
      }
      logger.info(`${name} done`, { result: summarise(result) });
      return result;
    } catch (error) {
      const errorName = error instanceof Error ? error.name : 'Error';
      metrics.addMetric(`${name}Failed`, MetricUnit.Count, 1);
      metrics.addMetric(`${name}Failed.${errorName}`, MetricUnit.Count, 1);
      logger.error(`${name} failed: ${errorName}: ${errorMessage(error)}`, {
        error: error as Error,
        ...(error instanceof SwitchyardError ? { context: error.context } : {}),
      });
      throw error;
    }
  };
  const handler = middy(run);
  if (tracing) handler.use(tracing);
  return handler.use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
}

/** The cluster and weight a weight step left (input `op.cluster`, result `weightPercentAfter`), else undefined. */
export function weightStep(event: unknown, result: unknown): { cluster: string; percent: number } | undefined {
  const cluster = (event as { op?: { cluster?: unknown } } | null)?.op?.cluster;
  const percent = (result as { weightPercentAfter?: unknown } | null)?.weightPercentAfter;
  return typeof cluster === 'string' && typeof percent === 'number' ? { cluster, percent } : undefined;
}

/** Keeps log lines small: top-level keys, array sizes. */
function summarise(result: unknown): unknown {
  if (result === null || typeof result !== 'object') return result;
  return Object.fromEntries(
    Object.entries(result as Record<string, unknown>).map(([k, v]) => [
      k,
      Array.isArray(v) ? `${v.length} item(s)` : v !== null && typeof v === 'object' ? '{…}' : v,
    ]),
  );
}
