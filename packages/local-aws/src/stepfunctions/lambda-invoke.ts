// What `arn:aws:states:::lambda:invoke` does on AWS, done in process: the handler gets
// a JSON copy of the payload and a Lambda context; its result comes back in the invoke
// envelope; a thrown error becomes a Task failure whose Error is the error's name and
// whose Cause is the JSON error document Lambda's Node.js runtime reports.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export type LambdaHandler = (event: any, context: Context) => Promise<unknown> | unknown;

export interface LambdaInvokeOutput {
  StatusCode: number;
  Payload: unknown;
  ExecutedVersion: string;
  SdkHttpMetadata?: unknown;
}

/**
 * Thrown into aws-local-stepfunctions so Retry/Catch match `name` and a caught error's
 * `$.Error`/`$.Cause` read as on AWS (Error = name, Cause = message).
 */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

export interface InvokeTarget {
  functionName: string;
  region: string;
  accountId: string;
  /** When the Task times out, so getRemainingTimeInMillis() is meaningful. */
  deadline: number;
}

export function lambdaContext(target: InvokeTarget): Context {
  const { functionName, region, accountId, deadline } = target;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The JSON error document Lambda's Node.js runtime returns for a thrown error. */
export function lambdaErrorDocument(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return { errorType: error.name || 'Error', errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

/** A JSON round trip, as the payload crosses the wire on AWS (and so handlers cannot share objects). */
export function jsonCopy(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** Invokes the handler like Lambda's RequestResponse invoke; throws TaskFailure when it fails. */
export async function invokeInProcess(handler: LambdaHandler, payload: unknown, target: InvokeTarget): Promise<LambdaInvokeOutput> {
  let result: unknown;
  try {
    result = await handler(jsonCopy(payload), lambdaContext(target));
  } catch (error) {
    const document = lambdaErrorDocument(error);
    throw new TaskFailure(document.errorType, JSON.stringify(document));
  }
  let serialised: unknown;
  try {
    serialised = jsonCopy(result);
  } catch (error) {
    const document = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to marshal response: ${(error as Error).message}`, trace: [] };
    throw new TaskFailure(document.errorType, JSON.stringify(document));
  }
  return { StatusCode: 200, Payload: serialised, ExecutedVersion: '$LATEST' };
}
