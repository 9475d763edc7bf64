// Step Functions' size limits on what a request carries, with the errors AWS answers.
// Payloads (an execution's input, a definition, a stop cause) are sensitive members:
// AWS's message names the member without echoing its value.
import { AwsServiceError } from '../aws-json.ts';

/** An execution's input, as UTF-8 bytes (AWS: 256 KiB). */
export const MAX_INPUT_BYTES = 262_144;
/** A state machine definition, in characters. */
export const MAX_DEFINITION_LENGTH = 1_048_576;
/** StopExecution's error and cause, in characters. */
export const MAX_ERROR_LENGTH = 256;
export const MAX_CAUSE_LENGTH = 32_768;

function sensitiveValidationError(field: string, constraint: string): AwsServiceError {
  return new AwsServiceError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function checkInputSize(input: string, field = 'input'): void {
  if (Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
    throw sensitiveValidationError(field, `Member must have size less than or equal to ${MAX_INPUT_BYTES} bytes in UTF-8 encoding`);
  }
}

/** A sensitive string member's length (definition, error, cause). */
export function checkLength(value: string | undefined, field: string, max: number): void {
  if (value !== undefined && value.length > max) throw sensitiveValidationError(field, `Member must have length less than or equal to ${max}`);
}
