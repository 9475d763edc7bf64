import { describe, expect, it } from 'vitest';
import { gatewayPublishedDetailSchema, gatewayWithdrawnDetailSchema, type GatewayEvent } from '../../../src/core/gateway-events.ts';
import type { PublishedEndpoint } from '../../../src/core/model.ts';
import { gatewayEvents } from '../../../src/k8s/events.ts';

const AT = '2025-03-01T12:00:00.000Z';
const LB = 'east-1.elb.us-east-1.amazonaws.com';

function ep(hostname: string, gateway = 'shop/shop-gw', extra: Partial<PublishedEndpoint> = {}): PublishedEndpoint {
  return { hostname, cluster: 'east', kind: 'IstioGateway', gateway, entryPoint: LB, annotations: {}, ...extra };
}

function events(before: PublishedEndpoint[], after: PublishedEndpoint[], versions?: Map<string, string>): GatewayEvent[] {
  const out = gatewayEvents({ cluster: 'east', before, after, observedAt: AT, ...(versions ? { resourceVersions: versions } : {}) });
  // Every detail must satisfy the published schema.
  for (const e of out) (e.detailType === 'Gateway Published' ? gatewayPublishedDetailSchema : gatewayWithdrawnDetailSchema).parse(e.detail);
  return out;
}

describe('gatewayEvents', () => {
  it('publishes a new resource with all its hostnames, entry point, annotations and resourceVersion', () => {
    const out = events([], [ep('b.example.com'), ep('a.example.com')], new Map([['IstioGateway|shop/shop-gw', '812']]));
    expect(out).toEqual([
      {
        detailType: 'Gateway Published',
        detail: {
          cluster: 'east',
          kind: 'IstioGateway',
          gateway: 'shop/shop-gw',
          hostnames: ['a.example.com', 'b.example.com'],
          entryPoint: LB,
          annotations: {},
          resourceVersion: '812',
          observedAt: AT,
        },
      },
    ]);
  });

  it('says nothing when nothing changed, whatever the order', () => {
    expect(events([ep('a.example.com'), ep('b.example.com')], [ep('b.example.com'), ep('a.example.com')])).toEqual([]);
  });

  it('publishes the resource again when its annotations, entry point or hostnames change', () => {
    expect(events([ep('a.example.com')], [ep('a.example.com', undefined, { annotations: { weight: 10 } })])).toHaveLength(1);
    expect(events([ep('a.example.com')], [ep('a.example.com', undefined, { entryPoint: 'other.elb.amazonaws.com' })])).toHaveLength(1);
    expect(events([ep('a.example.com')], [ep('a.example.com'), ep('b.example.com')])[0]?.detail.hostnames).toEqual(['a.example.com', 'b.example.com']);
  });

  it('withdraws hostnames a changed resource dropped, and every hostname of a deleted one', () => {
    const out = events([ep('a.example.com'), ep('b.example.com'), ep('c.example.com', 'api/api-gw')], [ep('a.example.com')]);
    expect(out).toEqual([
      { detailType: 'Gateway Published', detail: expect.objectContaining({ gateway: 'shop/shop-gw', hostnames: ['a.example.com'] }) },
      {
        detailType: 'Gateway Withdrawn',
        detail: { cluster: 'east', kind: 'IstioGateway', gateway: 'api/api-gw', hostnames: ['c.example.com'], reason: 'deleted', observedAt: AT },
      },
      {
        detailType: 'Gateway Withdrawn',
        detail: { cluster: 'east', kind: 'IstioGateway', gateway: 'shop/shop-gw', hostnames: ['b.example.com'], reason: 'changed', observedAt: AT },
      },
    ]);
  });

  it('does not withdraw a hostname that moved to another resource of the same cluster', () => {
    const out = events([ep('a.example.com', 'old/gw')], [ep('a.example.com', 'new/route', { kind: 'HTTPRoute' })]);
    expect(out.map((e) => e.detailType)).toEqual(['Gateway Published']);
  });

  it('names the canary hostname, and splits a resource whose hostnames differ in entry point', () => {
    const out = events([], [ep('canary-east.example.com', 'httpbin/gw', { canary: true }), ep('x.example.com', 'httpbin/gw', { entryPoint: undefined })]);
    expect(out.map((e) => e.detail)).toEqual([
      expect.objectContaining({ hostnames: ['canary-east.example.com'], canaryHostname: 'canary-east.example.com', entryPoint: LB }),
      expect.not.objectContaining({ entryPoint: expect.anything() }),
    ]);
  });

  it('only looks at its own cluster', () => {
    expect(events([ep('a.example.com', undefined, { cluster: 'west' })], [])).toEqual([]);
  });
});
