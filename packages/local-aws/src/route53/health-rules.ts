// Route 53 health checks as pure rules: the configuration (checks and defaults,
// updates and resets), how probe results become a status, and which checkers
// report. The timers and sockets that feed these live in health-checker.ts.
import { isIP } from 'node:net';
import { enumerationError, invalidInput, notImplemented, type Route53Error, validationError } from './errors.ts';
import { CHECKER_REGIONS, HEALTH_CHECK_TYPES, INSUFFICIENT_DATA_STATUSES, type HealthCheckConfig, type HealthCheckType } from './model.ts';
import { parseBoolean, parseInteger } from './rules.ts';

/** A HealthCheckConfig as it arrived: strings only, nothing checked. */
export interface RawHealthCheckConfig {
  type?: string;
  ipAddress?: string;
  port?: string;
  resourcePath?: string;
  fullyQualifiedDomainName?: string;
  searchString?: string;
  requestInterval?: string;
  failureThreshold?: string;
  measureLatency?: string;
  inverted?: string;
  disabled?: string;
  healthThreshold?: string;
  childHealthChecks?: string[];
  enableSNI?: string;
  regions?: string[];
  alarmIdentifier?: { region?: string; name?: string };
  insufficientDataHealthStatus?: string;
  routingControlArn?: string;
}

/** The CloudWatch regions an alarm may live in (CloudWatchRegion in the API model). */
const ALARM_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'ap-east-1',
  'me-south-1',
  'me-central-1',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'eu-north-1',
  'sa-east-1',
  'cn-northwest-1',
  'cn-north-1',
  'af-south-1',
  'eu-south-1',
  'eu-south-2',
  'us-gov-west-1',
  'us-gov-east-1',
  'ap-southeast-4',
  'il-central-1',
  'ca-west-1',
  'ap-southeast-5',
  'mx-central-1',
  'ap-southeast-7',
  'ap-east-2',
  'ap-southeast-6',
];

export const ENDPOINT_TYPES: readonly HealthCheckType[] = ['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP'];

export function isEndpointCheck(type: HealthCheckType): boolean {
  return ENDPOINT_TYPES.includes(type);
}

const P = 'healthCheckConfig';

/**
 * Checks a configuration and fills in Route 53's defaults (port 80/443, interval 30,
 * threshold 3, SNI on for HTTPS). Messages of the type-specific rules are ours.
 */
export function parseHealthCheckConfig(raw: RawHealthCheckConfig): HealthCheckConfig | Route53Error {
  if (raw.type === undefined) return validationError('null', `${P}.type`, 'Member must not be null');
  if (!(HEALTH_CHECK_TYPES as readonly string[]).includes(raw.type)) return enumerationError(raw.type, HEALTH_CHECK_TYPES);
  const type = raw.type as HealthCheckType;
  if (type === 'RECOVERY_CONTROL') return notImplemented('RECOVERY_CONTROL health checks (Application Recovery Controller)');

  const flags: Partial<Record<'inverted' | 'disabled' | 'measureLatency' | 'enableSNI', boolean>> = {};
  for (const field of ['inverted', 'disabled', 'measureLatency', 'enableSNI'] as const) {
    if (raw[field] === undefined) continue;
    const value = parseBoolean(raw[field]!, `${P}.${field}`);
    if (typeof value !== 'boolean') return value;
    flags[field] = value;
  }
  const config: HealthCheckConfig = { type, inverted: flags.inverted ?? false, disabled: flags.disabled ?? false };

  if (type === 'CALCULATED') {
    const threshold = raw.healthThreshold === undefined ? undefined : parseInteger(raw.healthThreshold, `${P}.healthThreshold`, 0, 256);
    if (threshold !== undefined && typeof threshold !== 'number') return threshold;
    const children = raw.childHealthChecks ?? [];
    if (children.length > 256) return validationError(String(children.length), `${P}.childHealthChecks`, 'Member must have length less than or equal to 256');
    if (new Set(children).size !== children.length) return invalidInput('Invalid request: ChildHealthChecks lists a health check more than once.');
    config.healthThreshold = threshold ?? 1;
    config.childHealthChecks = children;
    return config;
  }
  if (type === 'CLOUDWATCH_METRIC') {
    const alarm = raw.alarmIdentifier;
    if (alarm?.region === undefined || alarm.name === undefined) {
      return invalidInput('Invalid request: a CLOUDWATCH_METRIC health check needs an AlarmIdentifier with Region and Name.');
    }
    if (!ALARM_REGIONS.includes(alarm.region)) return enumerationError(alarm.region, ALARM_REGIONS);
    const insufficient = raw.insufficientDataHealthStatus ?? 'LastKnownStatus';
    if (!(INSUFFICIENT_DATA_STATUSES as readonly string[]).includes(insufficient)) return enumerationError(insufficient, INSUFFICIENT_DATA_STATUSES);
    config.alarmIdentifier = { region: alarm.region, name: alarm.name };
    config.insufficientDataHealthStatus = insufficient as HealthCheckConfig['insufficientDataHealthStatus'];
    return config;
  }
  return parseEndpointConfig(raw, config, flags);
}

function parseEndpointConfig(
  raw: RawHealthCheckConfig,
  config: HealthCheckConfig,
  flags: Partial<Record<'measureLatency' | 'enableSNI', boolean>>,
): HealthCheckConfig | Route53Error {
  const type = config.type;
  if (raw.ipAddress === undefined && raw.fullyQualifiedDomainName === undefined) {
    return invalidInput(`Invalid request: a ${type} health check needs an IPAddress or a FullyQualifiedDomainName.`);
  }
  if (raw.ipAddress !== undefined && isIP(raw.ipAddress) === 0) {
    return validationError(raw.ipAddress, `${P}.iPAddress`, 'Member must satisfy regular expression pattern for an IPv4 or IPv6 address');
  }
  if (raw.fullyQualifiedDomainName !== undefined && raw.fullyQualifiedDomainName.length > 255) {
    return validationError(raw.fullyQualifiedDomainName, `${P}.fullyQualifiedDomainName`, 'Member must have length less than or equal to 255');
  }
  const https = type === 'HTTPS' || type === 'HTTPS_STR_MATCH';
  let port: number | undefined;
  if (raw.port !== undefined) {
    const parsed = parseInteger(raw.port, `${P}.port`, 1, 65535);
    if (typeof parsed !== 'number') return parsed;
    port = parsed;
  } else if (type === 'TCP') {
    return invalidInput('Invalid request: a TCP health check needs a Port.');
  }
  const interval = raw.requestInterval === undefined ? 30 : parseInteger(raw.requestInterval, `${P}.requestInterval`, 10, 30);
  if (typeof interval !== 'number') return interval;
  if (interval !== 10 && interval !== 30) return invalidInput(`Invalid request: RequestInterval must be 10 or 30 seconds, not ${interval}.`);
  const threshold = raw.failureThreshold === undefined ? 3 : parseInteger(raw.failureThreshold, `${P}.failureThreshold`, 1, 10);
  if (typeof threshold !== 'number') return threshold;
  if (type !== 'TCP' && raw.resourcePath !== undefined) {
    if (raw.resourcePath.length > 255) return validationError(raw.resourcePath, `${P}.resourcePath`, 'Member must have length less than or equal to 255');
    config.resourcePath = raw.resourcePath;
  }
  if (type === 'HTTP_STR_MATCH' || type === 'HTTPS_STR_MATCH') {
    if (raw.searchString === undefined || raw.searchString === '') return invalidInput(`Invalid request: a ${type} health check needs a SearchString.`);
    if (raw.searchString.length > 255) return validationError(raw.searchString, `${P}.searchString`, 'Member must have length less than or equal to 255');
    config.searchString = raw.searchString;
  }
  const regions = checkRegions(raw.regions);
  if (regions instanceof Error) return regions;
  if (raw.ipAddress !== undefined) config.ipAddress = raw.ipAddress;
  config.port = port ?? (https ? 443 : 80);
  if (raw.fullyQualifiedDomainName !== undefined) config.fullyQualifiedDomainName = raw.fullyQualifiedDomainName;
  config.requestInterval = interval;
  config.failureThreshold = threshold;
  config.measureLatency = flags.measureLatency ?? false;
  config.enableSNI = flags.enableSNI ?? https;
  if (regions !== undefined) config.regions = regions;
  return config;
}

function checkRegions(regions: string[] | undefined): string[] | undefined | Route53Error {
  if (regions === undefined) return undefined;
  for (const region of regions) if (!(CHECKER_REGIONS as readonly string[]).includes(region)) return enumerationError(region, CHECKER_REGIONS);
  if (new Set(regions).size !== regions.length) return invalidInput('Invalid request: Regions lists a region more than once.');
  if (regions.length < 3) return invalidInput('Invalid request: a health check needs at least 3 Regions.');
  return regions;
}

/** The raw form of a stored configuration, so an update can be checked like a create. */
export function toRaw(c: HealthCheckConfig): RawHealthCheckConfig {
  const s = (v: number | boolean | undefined) => (v === undefined ? undefined : String(v));
  const raw: RawHealthCheckConfig = {
    type: c.type,
    ipAddress: c.ipAddress,
    port: s(c.port),
    resourcePath: c.resourcePath,
    fullyQualifiedDomainName: c.fullyQualifiedDomainName,
    searchString: c.searchString,
    requestInterval: s(c.requestInterval),
    failureThreshold: s(c.failureThreshold),
    measureLatency: s(c.measureLatency),
    inverted: s(c.inverted),
    disabled: s(c.disabled),
    healthThreshold: s(c.healthThreshold),
    childHealthChecks: c.childHealthChecks,
    enableSNI: s(c.enableSNI),
    regions: c.regions,
    alarmIdentifier: c.alarmIdentifier,
    insufficientDataHealthStatus: c.insufficientDataHealthStatus,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as RawHealthCheckConfig;
}

export const RESETTABLE_ELEMENTS = ['FullyQualifiedDomainName', 'Regions', 'ResourcePath', 'ChildHealthChecks'] as const;

/** UpdateHealthCheck: the fields it may change, then ResetElements, then the create-time checks. */
export function updateHealthCheckConfig(current: HealthCheckConfig, update: RawHealthCheckConfig, resets: readonly string[]): HealthCheckConfig | Route53Error {
  for (const element of resets) if (!(RESETTABLE_ELEMENTS as readonly string[]).includes(element)) return enumerationError(element, RESETTABLE_ELEMENTS);
  const merged: RawHealthCheckConfig = { ...toRaw(current) };
  for (const [key, value] of Object.entries(update) as [keyof RawHealthCheckConfig, never][]) {
    if (value !== undefined && key !== 'type' && key !== 'requestInterval' && key !== 'measureLatency') merged[key] = value;
  }
  if (resets.includes('FullyQualifiedDomainName')) delete merged.fullyQualifiedDomainName;
  if (resets.includes('Regions')) delete merged.regions;
  if (resets.includes('ResourcePath')) delete merged.resourcePath;
  if (resets.includes('ChildHealthChecks')) merged.childHealthChecks = [];
  return parseHealthCheckConfig(merged);
}

/** Same CallerReference, same configuration: CreateHealthCheck returns the existing check. */
export function sameHealthCheckConfig(a: HealthCheckConfig, b: HealthCheckConfig): boolean {
  const canonical = (c: HealthCheckConfig) => JSON.stringify(Object.entries(toRaw(c)).sort(([x], [y]) => (x < y ? -1 : 1)));
  return canonical(a) === canonical(b);
}

// ---------------------------------------------------------------------------
// Status.

/** Consecutive results of one endpoint: FailureThreshold of them in a row flip its health. */
export interface Tally {
  healthy: boolean;
  successes: number;
  failures: number;
}

export function tally(previous: Tally, ok: boolean, failureThreshold: number): Tally {
  const successes = ok ? previous.successes + 1 : 0;
  const failures = ok ? 0 : previous.failures + 1;
  let healthy = previous.healthy;
  if (healthy && failures >= failureThreshold) healthy = false;
  if (!healthy && successes >= failureThreshold) healthy = true;
  return { healthy, successes, failures };
}

/** A disabled check is always healthy; an inverted one reports the opposite of what it measures. */
export function reportedHealth(config: Pick<HealthCheckConfig, 'disabled' | 'inverted'>, measured: boolean): boolean {
  if (config.disabled) return true;
  return config.inverted ? !measured : measured;
}

/** CALCULATED: healthy while at least HealthThreshold children are healthy (missing children count as unhealthy). */
export function calculatedHealth(config: HealthCheckConfig, childHealthy: (id: string) => boolean | undefined): boolean {
  const healthy = (config.childHealthChecks ?? []).filter((id) => childHealthy(id) === true).length;
  return healthy >= (config.healthThreshold ?? 1);
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** CLOUDWATCH_METRIC: OK is healthy, ALARM unhealthy, and no data follows InsufficientDataHealthStatus. */
export function alarmHealth(config: HealthCheckConfig, state: AlarmState | undefined, lastKnown: boolean): boolean {
  if (state === 'OK') return true;
  if (state === 'ALARM') return false;
  const rule = config.insufficientDataHealthStatus ?? 'LastKnownStatus';
  return rule === 'Healthy' ? true : rule === 'Unhealthy' ? false : lastKnown;
}

export interface Checker {
  region: string;
  ipAddress: string;
}

/** Route 53 runs two checkers in each region the check uses (all eight by default). */
export function checkersFor(config: HealthCheckConfig): Checker[] {
  const regions = config.regions ?? [...CHECKER_REGIONS];
  return regions.flatMap((region) => {
    const index = (CHECKER_REGIONS as readonly string[]).indexOf(region);
    return [0, 1].map((k) => ({ region, ipAddress: `15.177.${index * 8 + 2}.${21 + k * 64}` }));
  });
}
