// The local Route 53 emulator: the factory, the standalone server and the types
// other parts of the local runtime use.
export { createRoute53Service, API_PREFIX, type Route53Service, type Route53ServiceOptions } from './service.ts';
export { serveLocalService, type RunningServer } from './server.ts';
export type { HealthCheckStatusChange, ResolveTarget, AlarmStateLookup } from './health-checker.ts';
export type { AlarmState } from './health-rules.ts';
export { ROUTE53_REQUESTS_PER_SECOND, type Route53Faults, type InjectedError } from './faults.ts';
export { startDnsServer, type DnsServer, type DnsServerOptions } from './dns-server.ts';
export { ALIAS_RESOURCE_TTL, resolve, type ExternalTarget, type Query, type Resolution, type ResolverWorld } from './resolver.ts';
export type { HostedZone, RecordSet, Route53State } from './model.ts';
// The change and listing rules on their own, for checking another Route 53 model against them.
export { applyChangeBatch, sameRecordSet, type RawChange, type RawRecordSet } from './rules.ts';
export { pageRecords } from './listing.ts';
export { parseName } from './names.ts';
export { InvalidChangeBatch } from './errors.ts';
// A probe timeout that does not charge a starved process's stalls to the endpoint (the local runtime's other probes use it too).
export { runnableTimeout, type RunnableTimeout } from './runnable-timeout.ts';
