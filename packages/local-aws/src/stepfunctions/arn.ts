// Step Functions names and ARNs, checked the way the service checks them.
import { AwsServiceError, validationError } from '../aws-json.ts';

// Names: 1-80 characters; no whitespace, brackets, wildcards, listed specials or control characters.
const FORBIDDEN_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;
const MAX_NAME_LENGTH = 80;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_NAME_LENGTH && !FORBIDDEN_NAME.test(name);
}

/**
 * A state machine or execution name as AWS checks it: the length is a constraint of the
 * request (ValidationException, checked first), the characters are the service's own
 * rule (InvalidName). `.` and `..` are valid names, as on AWS.
 */
export function checkName(name: string, field = 'name'): void {
  if (name.length < 1) throw validationError(field, name, 'Member must have length greater than or equal to 1');
  if (name.length > MAX_NAME_LENGTH) throw validationError(field, name, `Member must have length less than or equal to ${MAX_NAME_LENGTH}`);
  if (FORBIDDEN_NAME.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
}

export interface Place {
  region: string;
  accountId: string;
}

export function stateMachineArn(place: Place, name: string): string {
  return `arn:aws:states:${place.region}:${place.accountId}:stateMachine:${name}`;
}

export function executionArn(place: Place, stateMachineName: string, executionName: string): string {
  return `arn:aws:states:${place.region}:${place.accountId}:execution:${stateMachineName}:${executionName}`;
}

const ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)$/;

function parse(arn: string, resourceType: 'stateMachine' | 'execution'): { region: string; accountId: string; parts: string[] } {
  const match = ARN.exec(arn);
  if (!match) throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
  if (match[3] !== resourceType) throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${match[3]}'`);
  return { region: match[1]!, accountId: match[2]!, parts: match[4]!.split(':') };
}

export function parseStateMachineArn(arn: string): { region: string; accountId: string; name: string } {
  const { region, accountId, parts } = parse(arn, 'stateMachine');
  // A version or alias qualifier (name:1, name:prod) is not emulated.
  if (parts.length !== 1 || !isValidName(parts[0]!)) throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
  return { region, accountId, name: parts[0]! };
}

export function parseExecutionArn(arn: string): { region: string; accountId: string; stateMachineName: string; name: string } {
  const { region, accountId, parts } = parse(arn, 'execution');
  if (parts.length !== 2 || !isValidName(parts[0]!) || !isValidName(parts[1]!)) throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
  return { region, accountId, stateMachineName: parts[0]!, name: parts[1]! };
}
