// The emulator's data: what a Route 53 account holds. Plain JSON-serialisable data,
// stored as Route 53 returns it (canonical names, "/hostedzone/" ids stripped).

export const RR_TYPES = ['SOA', 'A', 'TXT', 'NS', 'CNAME', 'MX', 'NAPTR', 'PTR', 'SRV', 'SPF', 'AAAA', 'CAA', 'DS', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS'] as const;
export type RRType = (typeof RR_TYPES)[number];

export const CHANGE_ACTIONS = ['CREATE', 'DELETE', 'UPSERT'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** Regions a latency record may name (ResourceRecordSetRegion in the API model). */
export const RECORD_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'eu-north-1',
  'sa-east-1',
  'cn-north-1',
  'cn-northwest-1',
  'ap-east-1',
  'me-south-1',
  'me-central-1',
  'ap-south-1',
  'ap-south-2',
  'af-south-1',
  'eu-south-1',
  'eu-south-2',
  'ap-southeast-4',
  'il-central-1',
  'ca-west-1',
  'ap-southeast-5',
  'mx-central-1',
  'ap-southeast-7',
  'us-gov-east-1',
  'us-gov-west-1',
  'ap-east-2',
  'ap-southeast-6',
  'eusc-de-east-1',
] as const;

export interface GeoLocation {
  continentCode?: string;
  countryCode?: string;
  subdivisionCode?: string;
}

export interface AliasTarget {
  hostedZoneId: string;
  /** Canonical: lower case, escapes, trailing dot. */
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** A stored resource record set. Exactly one of `aliasTarget` or (`ttl` + `resourceRecords`). */
export interface RecordSet {
  /** Canonical name: lower case, `\ooo` escapes, trailing dot. */
  name: string;
  type: RRType;
  setIdentifier?: string;
  weight?: number;
  region?: string;
  geoLocation?: GeoLocation;
  failover?: 'PRIMARY' | 'SECONDARY';
  multiValueAnswer?: boolean;
  ttl?: number;
  resourceRecords?: string[];
  aliasTarget?: AliasTarget;
  healthCheckId?: string;
}

export interface HostedZone {
  /** Bare id, e.g. Z0ABCDEFGHIJKLMNOPQRS. */
  id: string;
  name: string;
  callerReference: string;
  comment?: string;
  privateZone: boolean;
  vpcs: { vpcRegion?: string; vpcId?: string }[];
  /** The four name servers of its delegation set (public zones). */
  nameServers: string[];
  records: RecordSet[];
}

export const HEALTH_CHECK_TYPES = ['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP', 'CALCULATED', 'CLOUDWATCH_METRIC', 'RECOVERY_CONTROL'] as const;
export type HealthCheckType = (typeof HEALTH_CHECK_TYPES)[number];

/** Regions Route 53 health checkers run in. */
export const CHECKER_REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'] as const;

export const INSUFFICIENT_DATA_STATUSES = ['Healthy', 'Unhealthy', 'LastKnownStatus'] as const;

export interface HealthCheckConfig {
  type: HealthCheckType;
  ipAddress?: string;
  port?: number;
  resourcePath?: string;
  fullyQualifiedDomainName?: string;
  searchString?: string;
  requestInterval?: number;
  failureThreshold?: number;
  measureLatency?: boolean;
  inverted: boolean;
  disabled: boolean;
  healthThreshold?: number;
  childHealthChecks?: string[];
  enableSNI?: boolean;
  regions?: string[];
  alarmIdentifier?: { region: string; name: string };
  insufficientDataHealthStatus?: (typeof INSUFFICIENT_DATA_STATUSES)[number];
}

export interface HealthCheck {
  id: string;
  callerReference: string;
  config: HealthCheckConfig;
  version: number;
  /** Last status the checker decided, so a restart does not report a down endpoint healthy. */
  lastHealthy?: boolean;
}

export interface ChangeRecord {
  id: string;
  submittedAt: string; // ISO 8601
  comment?: string;
}

/** Everything the emulator persists. */
export interface Route53State {
  version: 1;
  zones: HostedZone[];
  healthChecks: HealthCheck[];
  /** Caller references ever used, so a reference cannot create a second resource. */
  zoneCallerReferences: string[];
  deletedHealthCheckReferences: string[];
  changes: ChangeRecord[];
  /** "hostedzone/<id>" or "healthcheck/<id>" → tags. */
  tags: Record<string, Record<string, string>>;
}

export function emptyState(): Route53State {
  return { version: 1, zones: [], healthChecks: [], zoneCallerReferences: [], deletedHealthCheckReferences: [], changes: [], tags: {} };
}
