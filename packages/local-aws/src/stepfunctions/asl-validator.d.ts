// asl-validator 4 ships no type declarations.
declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errors: Array<{ message?: string; path?: string; 'Error code'?: string }>;
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }): ValidationResult;
  export default aslValidator;
}
