import { describe, expect, it } from 'vitest';
import { discover, hostsOf, INGRESS_LB, INGRESS_SERVICE, reasons } from './helpers.ts';

// The Istio reference example, adapted: several servers, repeated and namespaced hosts.
const BOOKINFO = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: bookinfo-gateway
  namespace: bookinfo
  annotations:
    switchyard.io/routing: weighted
    switchyard.io/weight: "20"
spec:
  selector:
    istio: ingressgateway
  servers:
    - port: { number: 80, name: http, protocol: HTTP }
      hosts: [uk.bookinfo.example.com, eu.bookinfo.example.com]
      tls: { httpsRedirect: true }
    - port: { number: 443, name: https-443, protocol: HTTPS }
      hosts: [uk.bookinfo.example.com, eu.bookinfo.example.com]
      tls: { mode: SIMPLE, credentialName: bookinfo-certs }
    - port: { number: 9443, name: https-9443, protocol: HTTPS }
      hosts: ["bookinfo-namespace/*.bookinfo.example.com"]
      tls: { mode: SIMPLE, credentialName: bookinfo-wildcard }
    - port: { number: 9080, name: http-wildcard, protocol: HTTP }
      hosts: ["./Reviews.Example.COM."]
    - port: { number: 2379, name: mongo, protocol: MONGO }
      hosts: ["*"]
`;

describe('Istio Gateway parsing', () => {
  it('publishes every host of every server once, host part only, lower-case without trailing dot', () => {
    // Act
    const found = discover(INGRESS_SERVICE + '---' + BOOKINFO);

    // Assess
    expect(hostsOf(found)).toEqual({
      '*.bookinfo.example.com': INGRESS_LB,
      'eu.bookinfo.example.com': INGRESS_LB,
      'reviews.example.com': INGRESS_LB,
      'uk.bookinfo.example.com': INGRESS_LB,
    });
    for (const endpoint of found.endpoints) {
      expect(endpoint).toMatchObject({
        cluster: 'east',
        kind: 'IstioGateway',
        gateway: 'bookinfo/bookinfo-gateway',
        annotations: { routing: 'weighted', weight: 20 },
      });
    }
  });

  it('reports the catch-all "*" host with the resource and keeps the others', () => {
    const found = discover(INGRESS_SERVICE + '---' + BOOKINFO);

    expect(reasons(found)).toEqual(['east/IstioGateway/bookinfo/bookinfo-gateway: host "*" matches every name and cannot be published']);
    expect(found.problems[0]).toMatchObject({ cluster: 'east' });
  });

  it.each([
    ['*/*', 'host "*" matches every name'],
    ['istio-system/*', 'host "*" matches every name'],
    ['shop*.example.com', 'a wildcard must be the whole first label'],
    ['shop..example.com', 'is not a valid DNS name'],
  ])('reports the unpublishable host %s', (host, reason) => {
    const found = discover(`${INGRESS_SERVICE}---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: { name: gw, namespace: apps }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["${host}", ok.example.com] }]
`);
    expect(Object.keys(hostsOf(found))).toEqual(['ok.example.com']);
    expect(found.problems).toHaveLength(1);
    expect(found.problems[0]?.reason).toContain(reason);
  });

  it('reports a Gateway without any host', () => {
    const found = discover(`${INGRESS_SERVICE}---
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: { name: empty, namespace: apps }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP } }]
`);
    expect(found.endpoints).toEqual([]);
    expect(reasons(found)).toEqual(['east/IstioGateway/apps/empty: publishes no hostname (no server has hosts)']);
  });

  it('reports a malformed Gateway by its fields and goes on with the next', () => {
    const found = discover(`${INGRESS_SERVICE}---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: broken, namespace: apps }
spec:
  selector: { istio: ingressgateway }
  servers: [{ hosts: shop.example.com }]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: fine, namespace: apps }
spec:
  selector: { istio: ingressgateway }
  servers: [{ hosts: [fine.example.com] }]
`);
    expect(Object.keys(hostsOf(found))).toEqual(['fine.example.com']);
    expect(reasons(found)).toHaveLength(1);
    expect(reasons(found)[0]).toMatch(/^east\/IstioGateway\/apps\/broken: malformed IstioGateway: spec\.servers\[0\]\.hosts: /);
  });

  describe('entry point from the gateway Service', () => {
    const gateway = (selector: string) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: shop, namespace: shop }
spec:
  selector: ${selector}
  servers: [{ hosts: [shop.example.com] }]
`;

    it('follows the selector to a Service in another namespace', () => {
      const found = discover(`${INGRESS_SERVICE}---${gateway('{ istio: ingressgateway }')}`);
      expect(found.endpoints[0]?.entryPoint).toBe(INGRESS_LB);
      expect(found.problems).toEqual([]);
    });

    it('uses the pinned entry point without looking for a Service', () => {
      const found = discover(gateway('{ istio: nothing-matches }'), { entryPoint: 'pinned.elb.us-east-1.amazonaws.com' });
      expect(found.endpoints[0]?.entryPoint).toBe('pinned.elb.us-east-1.amazonaws.com');
      expect(found.problems).toEqual([]);
    });

    it('reports a gateway whose Service cannot be found and still lists its hostnames without an entry point', () => {
      const found = discover(`${INGRESS_SERVICE}---${gateway('{ istio: eastwestgateway }')}`);
      expect(found.endpoints).toEqual([expect.objectContaining({ hostname: 'shop.example.com', gateway: 'shop/shop' })]);
      expect(found.endpoints[0]).not.toHaveProperty('entryPoint');
      expect(reasons(found)).toEqual([
        'east/IstioGateway/shop/shop: gateway Service not found: no Service selects the gateway workload (istio=eastwestgateway)',
      ]);
    });

    it('reports a Gateway without a selector', () => {
      const found = discover(`${INGRESS_SERVICE}---${gateway('{}')}`);
      expect(reasons(found)).toEqual(['east/IstioGateway/shop/shop: has no workload selector, so its gateway Service cannot be found']);
    });

    it.each([
      ['a ClusterIP Service', 'type: ClusterIP', '', 'is of type ClusterIP, not LoadBalancer'],
      ['a pending load balancer', 'type: LoadBalancer', 'status: { loadBalancer: {} }', 'has no status.loadBalancer.ingress hostname yet'],
      [
        'an IP-only load balancer',
        'type: LoadBalancer',
        'status: { loadBalancer: { ingress: [{ ip: 203.0.113.7 }] } }',
        'has only IP addresses in status.loadBalancer.ingress (203.0.113.7)',
      ],
    ])('reports %s', (_, type, status, reason) => {
      const found = discover(`
apiVersion: v1
kind: Service
metadata: { name: gw, namespace: istio-system }
spec: { ${type}, selector: { istio: ingressgateway } }
${status}
---${gateway('{ istio: ingressgateway }')}`);
      expect(found.problems).toHaveLength(1);
      expect(found.problems[0]?.reason).toContain(`Service istio-system/gw ${reason}`);
    });

    it("ignores a ClusterIP Service next to the load-balancer one, and prefers the Gateway's namespace when two load balancers match", () => {
      const service = (ns: string, lb: string) => `
apiVersion: v1
kind: Service
metadata: { name: gw, namespace: ${ns} }
spec: { type: LoadBalancer, selector: { istio: ingressgateway, app: gw } }
status: { loadBalancer: { ingress: [{ hostname: ${lb} }] } }
---`;
      const metrics = `
apiVersion: v1
kind: Service
metadata: { name: gw-metrics, namespace: istio-system }
spec: { type: ClusterIP, selector: { istio: ingressgateway } }
---`;
      const found = discover(
        service('istio-system', 'other.elb.amazonaws.com') + service('shop', 'mine.elb.amazonaws.com') + metrics + gateway('{ istio: ingressgateway }'),
      );
      expect(found.endpoints[0]?.entryPoint).toBe('mine.elb.amazonaws.com');
      expect(found.problems).toEqual([]);
    });

    it('reports two load balancers it cannot choose between', () => {
      const service = (name: string, lb: string) => `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: istio-system }
spec: { type: LoadBalancer, selector: { istio: ingressgateway } }
status: { loadBalancer: { ingress: [{ hostname: ${lb} }] } }
---`;
      const found = discover(service('a', 'a.elb.amazonaws.com') + service('b', 'b.elb.amazonaws.com') + gateway('{ istio: ingressgateway }'));
      expect(found.problems[0]?.reason).toBe(
        'several Services select the gateway workload (istio=ingressgateway) with different load balancers: istio-system/a (a.elb.amazonaws.com), istio-system/b (b.elb.amazonaws.com)',
      );
    });
  });
});
