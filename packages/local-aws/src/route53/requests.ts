// Request bodies read into the raw shapes the rules check (strings, nothing judged).
import type { RawHealthCheckConfig } from './health-rules.ts';
import type { RawChange, RawRecordSet } from './rules.ts';
import { childOf, listOf, textOf, textsOf, type XmlObject, type XmlValue } from './xml.ts';

export function readChanges(root: XmlObject): { comment?: string; changes: RawChange[] } | undefined {
  const batch = childOf(root, 'ChangeBatch');
  if (batch === undefined) return undefined;
  const changes = (listOf(batch, 'Changes', 'Change') ?? []).map(readChange);
  const comment = textOf(batch, 'Comment');
  return comment === undefined ? { changes } : { comment, changes };
}

function readChange(node: XmlValue): RawChange {
  const change: RawChange = {};
  const action = textOf(node, 'Action');
  if (action !== undefined) change.action = action;
  const rr = childOf(node, 'ResourceRecordSet');
  if (rr !== undefined) change.recordSet = readRecordSet(rr);
  return change;
}

function readRecordSet(rr: XmlObject): RawRecordSet {
  const raw: RawRecordSet = {};
  const copy = (field: keyof RawRecordSet, element: string) => {
    const value = textOf(rr, element);
    if (value !== undefined) (raw as Record<string, unknown>)[field] = value;
  };
  copy('name', 'Name');
  copy('type', 'Type');
  copy('setIdentifier', 'SetIdentifier');
  copy('weight', 'Weight');
  copy('region', 'Region');
  copy('failover', 'Failover');
  copy('multiValueAnswer', 'MultiValueAnswer');
  copy('ttl', 'TTL');
  copy('healthCheckId', 'HealthCheckId');
  copy('trafficPolicyInstanceId', 'TrafficPolicyInstanceId');
  const geo = childOf(rr, 'GeoLocation');
  if (geo !== undefined) {
    raw.geoLocation = {};
    for (const [field, element] of [
      ['continentCode', 'ContinentCode'],
      ['countryCode', 'CountryCode'],
      ['subdivisionCode', 'SubdivisionCode'],
    ] as const) {
      const value = textOf(geo, element);
      if (value !== undefined) raw.geoLocation[field] = value;
    }
  }
  const records = listOf(rr, 'ResourceRecords', 'ResourceRecord');
  if (records !== undefined) raw.resourceRecords = records.map((r) => textOf(r, 'Value'));
  const alias = childOf(rr, 'AliasTarget');
  if (alias !== undefined) {
    raw.aliasTarget = {};
    for (const [field, element] of [
      ['hostedZoneId', 'HostedZoneId'],
      ['dnsName', 'DNSName'],
      ['evaluateTargetHealth', 'EvaluateTargetHealth'],
    ] as const) {
      const value = textOf(alias, element);
      if (value !== undefined) raw.aliasTarget[field] = value;
    }
  }
  if (childOf(rr, 'CidrRoutingConfig') !== undefined) raw.cidrRoutingConfig = true;
  if (childOf(rr, 'GeoProximityLocation') !== undefined) raw.geoProximityLocation = true;
  return raw;
}

const CONFIG_ELEMENTS: [keyof RawHealthCheckConfig, string][] = [
  ['type', 'Type'],
  ['ipAddress', 'IPAddress'],
  ['port', 'Port'],
  ['resourcePath', 'ResourcePath'],
  ['fullyQualifiedDomainName', 'FullyQualifiedDomainName'],
  ['searchString', 'SearchString'],
  ['requestInterval', 'RequestInterval'],
  ['failureThreshold', 'FailureThreshold'],
  ['measureLatency', 'MeasureLatency'],
  ['inverted', 'Inverted'],
  ['disabled', 'Disabled'],
  ['healthThreshold', 'HealthThreshold'],
  ['enableSNI', 'EnableSNI'],
  ['insufficientDataHealthStatus', 'InsufficientDataHealthStatus'],
  ['routingControlArn', 'RoutingControlArn'],
];

/** A HealthCheckConfig element (create) or the UpdateHealthCheckRequest root (update). */
export function readHealthCheckConfig(node: XmlObject): RawHealthCheckConfig {
  const raw: RawHealthCheckConfig = {};
  for (const [field, element] of CONFIG_ELEMENTS) {
    const value = textOf(node, element);
    if (value !== undefined) (raw as Record<string, unknown>)[field] = value;
  }
  const children = textsOf(node, 'ChildHealthChecks', 'ChildHealthCheck');
  if (children !== undefined) raw.childHealthChecks = children;
  const regions = textsOf(node, 'Regions', 'Region');
  if (regions !== undefined) raw.regions = regions;
  const alarm = childOf(node, 'AlarmIdentifier');
  if (alarm !== undefined) {
    raw.alarmIdentifier = {};
    const region = textOf(alarm, 'Region');
    const name = textOf(alarm, 'Name');
    if (region !== undefined) raw.alarmIdentifier.region = region;
    if (name !== undefined) raw.alarmIdentifier.name = name;
  }
  return raw;
}
