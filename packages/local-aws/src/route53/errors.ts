// Route 53's errors, with the codes, HTTP statuses and message texts Route 53 uses.
// Messages marked "(wording ours)" could not be confirmed against a real response;
// every other text is the one Route 53 returns (see the notes of this module).

export type ErrorType = 'Sender' | 'Receiver';

/** An error answered as Route 53 answers it: `<ErrorResponse><Error><Type/><Code/><Message/>`. */
export class Route53Error extends Error {
  readonly code: string;
  readonly status: number;
  readonly type: ErrorType;

  constructor(code: string, message: string, status = 400, type: ErrorType = 'Sender') {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.type = type;
  }
}

/** InvalidChangeBatch carries every problem of the batch: Route 53 renders them as `[a, b]`. */
export class InvalidChangeBatch extends Route53Error {
  readonly messages: readonly string[];

  constructor(messages: readonly string[]) {
    super('InvalidChangeBatch', `[${messages.join(', ')}]`, 400);
    this.messages = messages;
  }
}

export const invalidInput = (message: string): Route53Error => new Route53Error('InvalidInput', message, 400);

export const noSuchHostedZone = (id: string): Route53Error => new Route53Error('NoSuchHostedZone', `No hosted zone found with ID: ${id}`, 404);

export const noSuchHealthCheck = (id: string): Route53Error => new Route53Error('NoSuchHealthCheck', `A health check with id ${id} does not exist.`, 404);

// (wording ours)
export const noSuchChange = (id: string): Route53Error => new Route53Error('NoSuchChange', `A change with the specified change ID does not exist: ${id}`, 404);

export const hostedZoneAlreadyExists = (): Route53Error =>
  new Route53Error('HostedZoneAlreadyExists', 'A hosted zone has already been created with the specified caller reference.', 409);

// (wording ours)
export const healthCheckAlreadyExists = (callerReference: string): Route53Error =>
  new Route53Error(
    'HealthCheckAlreadyExists',
    `A health check with caller reference ${callerReference} already exists, or existed, with a different configuration.`,
    409,
  );

export const hostedZoneNotEmpty = (): Route53Error =>
  new Route53Error('HostedZoneNotEmpty', 'The specified hosted zone contains non-required resource record sets and so cannot be deleted.', 400);

// (wording ours)
export const healthCheckVersionMismatch = (id: string, expected: number, actual: number): Route53Error =>
  new Route53Error(
    'HealthCheckVersionMismatch',
    `The HealthCheckVersion ${expected} in the request does not match the current version ${actual} of health check ${id}.`,
    409,
  );

export const invalidDomainName = (name: string): Route53Error => new Route53Error('InvalidDomainName', `${name} is not a valid domain name.`, 400);

export const noSuchDelegationSet = (id: string): Route53Error =>
  new Route53Error('NoSuchDelegationSet', `A reusable delegation set with the ID ${id} does not exist.`, 400);

export const malformedInput = (message: string): Route53Error => new Route53Error('MalformedInput', message, 400);

export const throttling = (): Route53Error => new Route53Error('Throttling', 'Rate exceeded', 400);

export const priorRequestNotComplete = (): Route53Error =>
  new Route53Error('PriorRequestNotComplete', 'The request was rejected because Route 53 was still processing a prior request.', 400);

/** An operation of the Route 53 API that this emulator does not serve (traffic policies, DNSSEC, ...). */
export const notImplemented = (what: string): Route53Error =>
  new Route53Error('NotImplemented', `The local Route 53 (@switchyard/local-aws) does not implement ${what}.`, 501, 'Receiver');

/**
 * A path that names no Route 53 operation (or one this emulator does not serve: traffic
 * policies, DNSSEC, ...). Route 53, like the other REST APIs, answers 404 UnknownOperationException.
 */
export const unknownOperation = (method: string, path: string): Route53Error =>
  new Route53Error(
    'UnknownOperationException',
    `${method} ${path} is not a Route 53 operation that the local Route 53 (@switchyard/local-aws) serves (see its README, "What it emulates").`,
    404,
  );

// (wording ours)
export const malformedPath = (segment: string): Route53Error =>
  new Route53Error('InvalidInput', `Invalid request: the path segment ${JSON.stringify(segment)} is not valid percent-encoding.`, 400);

/** "1 validation error detected: ..." as Route 53 words a member that breaks its constraint. */
export function validationError(value: string, path: string, constraint: string): Route53Error {
  return invalidInput(`1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`);
}

/** The XML-schema message Route 53 gives for a value outside an enumeration. */
export function enumerationError(value: string, allowed: readonly string[]): Route53Error {
  return invalidInput(
    `Invalid XML ; cvc-enumeration-valid: Value '${value}' is not facet-valid with respect to enumeration '[${allowed.join(', ')}]'. It must be a value from the enumeration.`,
  );
}
