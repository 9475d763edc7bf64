// The AWS JSON 1.0 / 1.1 wire protocol (Step Functions, EventBridge, DynamoDB):
// every call is a POST with `X-Amz-Target: <Prefix>.<Operation>` and a JSON body;
// errors are a JSON body with `__type` (what SDK v3 and botocore read) and
// `message`, plus the same code in `x-amzn-ErrorType`.
import { randomUUID } from 'node:crypto';
import type { LocalRequest, LocalResponse, LocalService } from './http.ts';

/** An error the local service answers with, as the real service would. */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
  }
}

export function targetHeader(req: LocalRequest): string | undefined {
  const raw = req.headers['x-amz-target'];
  return Array.isArray(raw) ? raw[0] : raw;
}

/** The operation named by X-Amz-Target when it has the given prefix (e.g. "AWSStepFunctions"). */
export function operationFor(req: LocalRequest, prefix: string): string | undefined {
  const target = targetHeader(req);
  if (target === undefined || !target.startsWith(`${prefix}.`)) return undefined;
  return target.slice(prefix.length + 1);
}

/** Deeper than any request of the local services needs; recursion over deeper values could overflow the stack. */
export const MAX_JSON_DEPTH = 100;

/** True when arrays and objects in JSON text nest deeper than `max` (one pass, no parsing). */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth -= 1;
  }
  return false;
}

/** Parses the request body as a JSON object; anything else is a SerializationException. */
export function parseJsonBody(req: LocalRequest): Record<string, unknown> {
  const text = req.body.toString('utf8').trim();
  if (text === '') return {};
  if (jsonDepthExceeds(text)) throw new AwsServiceError('SerializationException', `request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AwsServiceError('SerializationException', `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsServiceError('SerializationException', 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export function jsonResponse(version: '1.0' | '1.1', body: unknown, status = 200): LocalResponse {
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(body ?? {}),
  };
}

/**
 * `namespace` prefixes `__type` the way the real service does
 * (e.g. "com.amazonaws.swf.service.v2.model#"); SDKs strip it.
 */
export function errorResponse(version: '1.0' | '1.1', error: AwsServiceError, namespace = ''): LocalResponse {
  return {
    status: error.status,
    headers: {
      'content-type': `application/x-amz-json-${version}`,
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': error.code,
    },
    body: JSON.stringify({ __type: `${namespace}${error.code}`, message: error.message }),
  };
}

/** Turns anything a handler threw into the AWS-shaped answer; unexpected errors are a 500. */
export function toServiceError(error: unknown): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AwsServiceError('InternalFailure', `internal error: ${message}`, 500);
}

/** "1 validation error detected: ..." as AWS phrases a constraint violation. */
export function validationError(field: string, value: unknown, constraint: string): AwsServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
  return new AwsServiceError('ValidationException', `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
}

/** Reads an optional string field; a value of another type is a ValidationException. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(field, value, 'Member must be a string');
  return value;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined) throw validationError(field, undefined, 'Member must not be null');
  return value;
}

export function optionalInteger(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validationError(field, value, 'Member must be an integer');
  if (value < min) throw validationError(field, value, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(field, value, `Member must have value less than or equal to ${max}`);
  return value;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of a listing. Tokens are opaque and bound to the listing they came from
 * (`listing` names it); any other token gets the service's invalid-token error.
 */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  listing: string,
  invalidToken: (token: string) => AwsServiceError,
  defaultSize = 100,
): Page<T> {
  const size = maxResults === undefined || maxResults === 0 ? defaultSize : maxResults;
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = decodeToken(nextToken);
    if (decoded === undefined || decoded.listing !== listing) throw invalidToken(nextToken);
    start = decoded.offset;
  }
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(JSON.stringify({ listing, offset: start + size })).toString('base64') : undefined;
  return next === undefined ? { items: page } : { items: page, nextToken: next };
}

function decodeToken(token: string): { listing: string; offset: number } | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { listing?: unknown; offset?: unknown };
    if (typeof value.listing !== 'string' || typeof value.offset !== 'number' || !Number.isInteger(value.offset) || value.offset < 0) return undefined;
    return { listing: value.listing, offset: value.offset };
  } catch {
    return undefined;
  }
}

export type JsonOperation<S> = (state: S, body: Record<string, unknown>) => unknown;

/**
 * A LocalService for a JSON-protocol API: dispatches `<targetPrefix>.<Operation>` to
 * `operations`, answers unknown operations, bad JSON and thrown errors as AWS does.
 */
export function jsonRpcService<S>(spec: {
  name: string;
  targetPrefix: string;
  version: '1.0' | '1.1';
  /** Prefix of `__type` in errors, as the real service sends it. */
  errorNamespace?: string;
  state: S;
  operations: Record<string, JsonOperation<S>>;
  close?: () => Promise<void>;
  /**
   * Awaited after each operation, before the answer: resolves once the service's changes so
   * far are on disk (rejects when they cannot be), so nothing is answered before it is durable.
   */
  flush?: (state: S) => Promise<void>;
  /** The largest request body the service takes (LocalService.maxBodyBytes). */
  maxBodyBytes?: number;
}): LocalService {
  return {
    name: spec.name,
    ...(spec.maxBodyBytes === undefined ? {} : { maxBodyBytes: spec.maxBodyBytes }),
    matches: (req: LocalRequest) => operationFor(req, spec.targetPrefix) !== undefined,
    async handle(req: LocalRequest): Promise<LocalResponse> {
      try {
        const operation = operationFor(req, spec.targetPrefix)!;
        const run = Object.hasOwn(spec.operations, operation) ? spec.operations[operation] : undefined;
        if (run === undefined) throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}`);
        const result = await run(spec.state, parseJsonBody(req));
        await spec.flush?.(spec.state);
        return jsonResponse(spec.version, result);
      } catch (error) {
        return errorResponse(spec.version, toServiceError(error), spec.errorNamespace);
      }
    },
    ...(spec.close === undefined ? {} : { close: spec.close }),
  };
}
