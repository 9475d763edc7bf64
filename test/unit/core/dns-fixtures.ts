// Shared fixtures for the DNS core tests: a small fleet, zones, endpoints and record builders.
import { fleetSchema, type FleetConfig } from '../../../src/core/config.ts';
import type { HostedZone, PublishedEndpoint, RecordSet, RoutingAnnotations } from '../../../src/core/model.ts';
import { markerValue } from '../../../src/core/ownership.ts';

export const OWNER = 'switchyard-test';
export const ZONE: HostedZone = { id: 'ZEXAMPLE', name: 'example.com.' };
export const ZONES: HostedZone[] = [ZONE];

/** NLB names (us-east-1, eu-west-1) and an ALB name (us-west-2). */
export const LB = {
  east: 'k8s-istio-ingress-1a2b3c4d5e.elb.us-east-1.amazonaws.com',
  west: 'k8s-istio-ingress-5e4d3c2b1a.elb.eu-west-1.amazonaws.com',
  alb: 'my-alb-1234567890.us-west-2.elb.amazonaws.com',
};
export const NLB_ZONE = { east: 'Z26RNL4JYFTOTI', west: 'Z2IFOLAFXWLO4F' };
export const ALB_ZONE_US_WEST_2 = 'Z1H1FL5HABSF5';

export function fleet(overrides: Record<string, unknown> = {}): FleetConfig {
  return fleetSchema.parse({
    ownerId: OWNER,
    zones: [{ name: 'example.com', id: ZONE.id }],
    clusters: [
      {
        name: 'east',
        region: 'us-east-1',
        eksClusterName: 'east',
        canaryHostname: 'canary-east.example.com',
        domainFilter: ['example.com'],
        failoverPriority: 10,
      },
      {
        name: 'west',
        region: 'eu-west-1',
        eksClusterName: 'west',
        canaryHostname: 'canary-west.example.com',
        domainFilter: ['example.com'],
        failoverPriority: 20,
      },
      {
        name: 'alb',
        region: 'us-west-2',
        eksClusterName: 'alb',
        canaryHostname: 'canary-alb.example.com',
        domainFilter: ['example.com'],
        failoverPriority: 30,
      },
    ],
    ...overrides,
  });
}

export function endpoint(
  hostname: string,
  cluster: keyof typeof LB | string,
  annotations: RoutingAnnotations = {},
  entryPoint?: string | null,
): PublishedEndpoint {
  const lb = (LB as Record<string, string>)[cluster];
  const e: PublishedEndpoint = { hostname, cluster, kind: 'Gateway', gateway: `apps/${hostname.split('.')[0]}`, annotations };
  const ep = entryPoint === null ? undefined : (entryPoint ?? lb);
  if (ep) e.entryPoint = ep;
  return e;
}

export function alias(name: string, lb: string, zoneId: string, extra: Partial<RecordSet> = {}, type = 'A'): RecordSet {
  return { name, type, aliasTarget: { hostedZoneId: zoneId, dnsName: `${lb}.`, evaluateTargetHealth: true }, ...extra };
}

export function marker(name: string, sets: Array<[string, string | undefined]>, owner = OWNER, ttl = 300): RecordSet {
  return { name: `_switchyard.${name}`, type: 'TXT', ttl, values: sets.map(([t, s]) => markerValue(owner, t, s)).sort() };
}
