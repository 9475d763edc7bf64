// The local Route 53 emulator: the factory, the standalone server and the types
// other parts of the local runtime use.
export { createRoute53Service, API_PREFIX, type Route53Service, type Route53ServiceOptions } from './service.ts';
export { serveLocalService, type RunningServer } from './server.ts';
export type { HealthCheckStatusChange, ResolveTarget, AlarmStateLookup } from './health-checker.ts';
export type { AlarmState } from './health-rules.ts';
export { ROUTE53_REQUESTS_PER_SECOND, type Route53Faults, type InjectedError } from './faults.ts';
