import { describe, expect, it } from 'vitest';
import {
  endpointsOfPublished,
  gatewayEventEntry,
  parseGatewayEvent,
  safeParseGatewayEvent,
  type GatewayPublishedDetail,
} from '../../../src/core/gateway-events.ts';

const published: GatewayPublishedDetail = {
  cluster: 'east',
  kind: 'IstioGateway',
  gateway: 'httpbin/httpbin-canary',
  hostnames: ['canary-east.example.com', 'httpbin.example.com'],
  entryPoint: 'east-1.elb.us-east-1.amazonaws.com',
  annotations: { routing: 'weighted', weight: 20 },
  canaryHostname: 'canary-east.example.com',
  observedAt: '2025-03-01T12:00:00Z',
};

describe('Gateway events', () => {
  it('round-trips through a PutEvents entry and back', () => {
    const entry = gatewayEventEntry({ detailType: 'Gateway Published', detail: published }, 'switchyard-bus');
    expect(entry).toEqual({ Source: 'switchyard', DetailType: 'Gateway Published', Detail: JSON.stringify(published), EventBusName: 'switchyard-bus' });
    const event = parseGatewayEvent({ source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) });
    expect(event).toEqual({ detailType: 'Gateway Published', detail: published });
  });

  it('turns a Published detail into one endpoint per hostname', () => {
    expect(endpointsOfPublished(published)).toEqual([
      {
        hostname: 'canary-east.example.com',
        cluster: 'east',
        kind: 'IstioGateway',
        gateway: 'httpbin/httpbin-canary',
        entryPoint: 'east-1.elb.us-east-1.amazonaws.com',
        annotations: { routing: 'weighted', weight: 20 },
        canary: true,
      },
      {
        hostname: 'httpbin.example.com',
        cluster: 'east',
        kind: 'IstioGateway',
        gateway: 'httpbin/httpbin-canary',
        entryPoint: 'east-1.elb.us-east-1.amazonaws.com',
        annotations: { routing: 'weighted', weight: 20 },
      },
    ]);
  });

  it.each([
    [{ source: 'aws.eks', 'detail-type': 'Gateway Published', detail: published }, 'source: expected "switchyard"'],
    [{ source: 'switchyard', 'detail-type': 'Gateway Moved', detail: published }, 'detail-type: expected "Gateway Published" or "Gateway Withdrawn"'],
    [{ source: 'switchyard', 'detail-type': 'Gateway Published', detail: { ...published, hostnames: [] } }, 'detail.hostnames'],
    [
      { source: 'switchyard', 'detail-type': 'Gateway Published', detail: { ...published, hostnames: ['Shop.Example.com.'] } },
      'detail.hostnames[0]: not a lower-case DNS name',
    ],
    [{ source: 'switchyard', 'detail-type': 'Gateway Published', detail: { ...published, gateway: 'no-namespace' } }, 'detail.gateway: not "namespace/name"'],
    [{ source: 'switchyard', 'detail-type': 'Gateway Published', detail: { ...published, annotations: { weight: 300 } } }, 'detail.annotations.weight'],
    [
      {
        source: 'switchyard',
        'detail-type': 'Gateway Withdrawn',
        detail: { cluster: 'east', kind: 'Gateway', gateway: 'a/b', hostnames: ['a.example.com'], observedAt: '2025-03-01T12:00:00Z' },
      },
      'detail.reason',
    ],
    [
      {
        source: 'switchyard',
        'detail-type': 'Gateway Withdrawn',
        detail: { cluster: 'east', kind: 'Ingress', gateway: 'a/b', hostnames: ['a.example.com'], reason: 'deleted', observedAt: 'yesterday' },
      },
      'detail.kind',
    ],
  ])('refuses an invalid event with the reason (%#)', (event, reason) => {
    const result = safeParseGatewayEvent(event);
    expect(result.success).toBe(false);
    expect(result.success ? '' : result.error).toContain(reason);
    expect(() => parseGatewayEvent(event)).toThrow(expect.objectContaining({ name: 'InvalidInput' }));
  });
});
