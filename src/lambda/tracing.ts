// X-Ray tracing of the Lambda functions with Powertools Tracer, switched on by the fleet's
// `tracing` setting (the deploy then sets Lambda's active tracing and
// POWERTOOLS_TRACE_ENABLED=true, docs/deploy.md). The Tracer (and the X-Ray SDK under it,
// about 130 KB) is loaded only then: the deploy installs it beside each handler's bundle
// instead of bundling it (stacks/bundling.ts, SST_INSTALLED), so a function without
// tracing neither carries nor loads it. Off, clients are left exactly as they are.
import type { MiddlewareObj } from '@middy/core';
import { SERVICE_NAME } from './service.ts';

let capture: (<T>(client: T) => T) | undefined;

/** An AWS SDK v3 client whose calls become subsegments of the function's trace (when tracing is on). */
export function traced<T>(client: T): T {
  return capture ? capture(client) : client;
}

/**
 * With POWERTOOLS_TRACE_ENABLED=true: loads Powertools Tracer, makes `traced` capture
 * clients, and returns the middy middleware that traces each invocation. Else undefined.
 */
export async function loadTracing(env: NodeJS.ProcessEnv = process.env): Promise<MiddlewareObj | undefined> {
  if (env.POWERTOOLS_TRACE_ENABLED !== 'true') return undefined;
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import('@aws-lambda-powertools/tracer'),
    import('@aws-lambda-powertools/tracer/middleware'),
  ]);
  const tracer = new Tracer({ serviceName: SERVICE_NAME });
  capture = <T>(client: T): T => tracer.captureAWSv3Client(client);
  return captureLambdaHandler(tracer) as MiddlewareObj;
}
