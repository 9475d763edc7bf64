// The service name every function's logs, metrics and traces carry.
export const SERVICE_NAME = 'switchyard';
