// @switchyard/local-aws: Route 53, Step Functions, EventBridge, DynamoDB and CloudWatch
// alarms on one loopback endpoint, persisting under one state folder. See README.md.
// One service's details come from its own entry: @switchyard/local-aws/route53,
// /stepfunctions, /eventbridge, /dynamodb, /cloudwatch.
export { openLocalPlatform, deployWorkflows, type LocalPlatform, type LocalPlatformOptions } from './platform.ts';
export { DEFAULT_PORT, startEndpoint, type Endpoint, type EndpointOptions } from './endpoint.ts';
export { inProcessRequestHandler, inProcessSigner, type InProcessServer } from './in-process.ts';
export { exposureWarning } from './local-only.ts';
export type { LocalRequest, LocalResponse, LocalService } from './http.ts';
export { withFaults, type FaultyService, type ServiceFaults } from './faults.ts';
export { readJsonFile, writeJsonFileAtomic } from './json-file.ts';
export { errorMessage, InvalidInput } from './errors.ts';
