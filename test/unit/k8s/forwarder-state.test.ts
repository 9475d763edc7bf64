import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gatewayPublishedDetailSchema, gatewayWithdrawnDetailSchema, type GatewayEvent } from '../../../src/core/gateway-events.ts';
import type { PublishedEndpoint } from '../../../src/core/model.ts';
import {
  EMPTY_VIEW,
  advanceCluster,
  formatNotice,
  formatSent,
  newProblems,
  sentJson,
  trackReachability,
  type ClusterRead,
  type ClusterView,
} from '../../../src/k8s/forwarder-state.ts';

const AT = '2025-03-01T12:00:00.000Z';
const LB = 'east-1.elb.us-east-1.amazonaws.com';

function ep(hostname: string, gateway = 'shop/shop-gw', extra: Partial<PublishedEndpoint> = {}): PublishedEndpoint {
  return { hostname, cluster: 'east', kind: 'IstioGateway', gateway, entryPoint: LB, annotations: {}, ...extra };
}

const ok = (endpoints: PublishedEndpoint[], problems: { subject: string; reason: string }[] = []): ClusterRead => ({ ok: true, endpoints, problems });
const down = (reason = 'connect ECONNREFUSED'): ClusterRead => ({ ok: false, reason });

function step(view: ClusterView, read: ClusterRead, publishExisting = false) {
  const out = advanceCluster(view, read, { cluster: 'east', observedAt: AT, publishExisting });
  for (const e of out.events) (e.detailType === 'Gateway Published' ? gatewayPublishedDetailSchema : gatewayWithdrawnDetailSchema).parse(e.detail);
  return out;
}

describe('advanceCluster', () => {
  it('takes the first complete picture as the baseline: sends nothing, says it is watching', () => {
    const out = step(EMPTY_VIEW, ok([ep('a.example.com'), ep('b.example.com')]));
    expect(out.events).toEqual([]);
    expect(out.notices).toEqual([{ kind: 'watching', cluster: 'east', endpoints: 2 }]);
    expect(out.view.endpoints).toHaveLength(2);
  });

  it('publishes everything of the first picture when asked to', () => {
    const out = step(EMPTY_VIEW, ok([ep('a.example.com'), ep('b.example.com')]), true);
    expect(out.events).toEqual([
      { detailType: 'Gateway Published', detail: expect.objectContaining({ gateway: 'shop/shop-gw', hostnames: ['a.example.com', 'b.example.com'] }) },
    ]);
  });

  it('sends the difference between two complete pictures', () => {
    const base = step(EMPTY_VIEW, ok([ep('a.example.com'), ep('b.example.com', 'docs/docs-gw')])).view;
    const out = step(base, ok([ep('a.example.com', 'shop/shop-gw', { annotations: { weight: 20 } })]));
    expect(out.events.map((e) => `${e.detailType} ${e.detail.gateway} ${e.detail.hostnames.join(',')}`)).toEqual([
      'Gateway Published shop/shop-gw a.example.com',
      'Gateway Withdrawn docs/docs-gw b.example.com',
    ]);
    expect(out.notices).toEqual([]);
  });

  it('holds a cluster whose complete read is suddenly empty: nothing withdrawn, reported as unreachable', () => {
    const base = step(EMPTY_VIEW, ok([ep('a.example.com'), ep('b.example.com')])).view;
    const out = step(base, ok([]));
    expect(out.events).toEqual([]);
    expect(out.notices).toEqual([
      { kind: 'unreachable', cluster: 'east', reason: 'published nothing (not even its canary) after 2 endpoint(s): held, its records are left as they are' },
    ]);
    expect(out.view.endpoints).toHaveLength(2);
    // A first picture that is empty is just empty.
    expect(step(EMPTY_VIEW, ok([])).notices).toEqual([{ kind: 'watching', cluster: 'east', endpoints: 0 }]);
  });

  it('sends nothing while the cluster cannot be read, keeps the last picture, and reports the outage once', () => {
    const base = step(EMPTY_VIEW, ok([ep('a.example.com')])).view;
    const first = step(base, down('HTTP 503'));
    const second = step(first.view, down('HTTP 503 again'));
    expect(first.events).toEqual([]);
    expect(first.notices).toEqual([{ kind: 'unreachable', cluster: 'east', reason: 'HTTP 503' }]);
    expect(second.notices).toEqual([]);
    expect(second.view.endpoints).toEqual(base.endpoints);

    // Back: compared with the picture before the outage, not with "nothing".
    const back = step(second.view, ok([ep('a.example.com'), ep('c.example.com')]));
    expect(back.notices).toEqual([{ kind: 'reachable', cluster: 'east' }]);
    expect(back.events).toEqual([{ detailType: 'Gateway Published', detail: expect.objectContaining({ hostnames: ['a.example.com', 'c.example.com'] }) }]);
  });

  it('makes the first complete picture after a failed start the baseline', () => {
    const failed = step(EMPTY_VIEW, down());
    const out = step(failed.view, ok([ep('a.example.com')]));
    expect(failed.notices).toEqual([{ kind: 'unreachable', cluster: 'east', reason: 'connect ECONNREFUSED' }]);
    expect(out.notices).toEqual([{ kind: 'watching', cluster: 'east', endpoints: 1 }]);
    expect(out.events).toEqual([]);
  });

  it('reports problems once, when they first appear', () => {
    const problem = { subject: 'east/IstioGateway/shop/shop-gw', reason: 'switchyard.io/weight "x": not an integer' };
    const first = step(EMPTY_VIEW, ok([ep('a.example.com')], [problem]));
    const again = step(first.view, ok([ep('a.example.com')], [problem]));
    expect(first.notices).toContainEqual({ kind: 'problem', cluster: 'east', problem });
    expect(again.notices).toEqual([]);
    expect(newProblems([problem], [problem, { subject: 's', reason: 'r' }])).toEqual([{ subject: 's', reason: 'r' }]);
  });

  // The receivers' view (Published sets a resource's hostnames, Withdrawn removes them),
  // built from the events alone, always ends where the last complete picture is; and no
  // failed read ever sends anything. A complete read with nothing in it after a picture
  // with endpoints is held like a failed read (docs/discovery.md), so it is not the last
  // complete picture either.
  it('events replayed by a receiver always reproduce the last complete picture (property)', () => {
    const hostnames = ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com', 'e.example.com'];
    const gateways = ['shop/gw-1', 'shop/gw-2', 'api/gw-3'];
    const picture = fc
      .tuple(
        fc.array(fc.option(fc.nat(gateways.length - 1), { nil: undefined }), { minLength: hostnames.length, maxLength: hostnames.length }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      )
      .map(([owners, weighted]) =>
        owners.flatMap((owner, i) =>
          owner === undefined ? [] : [ep(hostnames[i]!, gateways[owner]!, weighted[owner] ? { annotations: { weight: 10 } } : {})],
        ),
      );
    const read = fc.oneof(
      picture.map((endpoints) => ok(endpoints)),
      fc.constant(ok([])),
      fc.constant(down()),
    );
    fc.assert(
      fc.property(fc.array(read, { minLength: 1, maxLength: 12 }), fc.boolean(), (reads, publishExisting) => {
        let view: ClusterView = EMPTY_VIEW;
        const receiver = new Map<string, string>();
        let last: readonly PublishedEndpoint[] | undefined;
        for (const r of reads) {
          const out = step(view, r, publishExisting);
          const held = r.ok && r.endpoints.length === 0 && (last?.length ?? 0) > 0;
          if (!r.ok || held) expect(out.events).toEqual([]);
          if (r.ok && last === undefined && !publishExisting)
            for (const e of r.endpoints) receiver.set(e.hostname, `${e.gateway} ${JSON.stringify(e.annotations)}`);
          for (const event of out.events) apply(receiver, event);
          if (r.ok && !held) last = r.endpoints;
          view = out.view;
        }
        const expected = new Map((last ?? []).map((e) => [e.hostname, `${e.gateway} ${JSON.stringify(e.annotations)}`]));
        expect(new Map([...receiver].sort())).toEqual(new Map([...expected].sort()));
      }),
      { numRuns: 300 },
    );
  });
});

function apply(receiver: Map<string, string>, event: GatewayEvent): void {
  if (event.detailType === 'Gateway Published') {
    for (const h of event.detail.hostnames) receiver.set(h, `${event.detail.gateway} ${JSON.stringify(event.detail.annotations)}`);
  } else {
    for (const h of event.detail.hostnames) receiver.delete(h);
  }
}

describe('trackReachability', () => {
  it('is unreachable from the first failing request until every failed one works again', () => {
    const a = trackReachability(new Map(), 'east', '/api/v1/services', { ok: false, reason: 'HTTP 503' });
    const b = trackReachability(a.failing, 'east', '/apis/networking.istio.io/v1/gateways', { ok: false, reason: 'HTTP 503' });
    const c = trackReachability(b.failing, 'east', '/api/v1/services', { ok: true });
    const d = trackReachability(c.failing, 'east', '/apis/networking.istio.io/v1/gateways', { ok: true });
    const e = trackReachability(d.failing, 'east', '/api/v1/services', { ok: true });

    expect(a.notice).toEqual({ kind: 'unreachable', cluster: 'east', reason: 'HTTP 503' });
    expect([b.notice, c.notice]).toEqual([undefined, undefined]);
    expect(d.notice).toEqual({ kind: 'reachable', cluster: 'east' });
    expect(e.notice).toBeUndefined();
  });
});

describe('output lines', () => {
  const published: GatewayEvent = {
    detailType: 'Gateway Published',
    detail: { cluster: 'east', kind: 'IstioGateway', gateway: 'shop/shop-gw', hostnames: ['a.example.com', 'b.example.com'], annotations: {}, observedAt: AT },
  };
  const withdrawn: GatewayEvent = {
    detailType: 'Gateway Withdrawn',
    detail: { cluster: 'west', kind: 'HTTPRoute', gateway: 'api/api', hostnames: ['api.example.com'], reason: 'deleted', observedAt: AT },
  };

  it('names the event, cluster, resource, hostnames and event id', () => {
    expect(formatSent(published, 'id-1')).toBe('sent Gateway Published east IstioGateway shop/shop-gw: a.example.com, b.example.com [id-1]');
    expect(formatSent(withdrawn, 'id-2')).toBe('sent Gateway Withdrawn west HTTPRoute api/api: api.example.com (deleted) [id-2]');
    expect(JSON.parse(sentJson(withdrawn, 'id-2', 'switchyard-bus'))).toEqual({
      eventId: 'id-2',
      eventBusName: 'switchyard-bus',
      'detail-type': 'Gateway Withdrawn',
      detail: withdrawn.detail,
    });
  });

  it('says what an outage means', () => {
    expect(formatNotice({ kind: 'unreachable', cluster: 'east', reason: 'HTTP 401' })).toBe(
      'east: unreachable, sending nothing for it until it is back (its last complete picture is kept): HTTP 401',
    );
    expect(formatNotice({ kind: 'watching', cluster: 'east', endpoints: 1 })).toBe('east: watching (1 endpoint now)');
  });
});
