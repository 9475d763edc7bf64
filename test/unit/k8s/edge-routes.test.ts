import { describe, expect, it } from 'vitest';
import { discover, INGRESS_SERVICE, reasons } from './helpers.ts';

const edge = { role: 'edge' as const };

const ISTIO_EDGE = `${INGRESS_SERVICE}---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: edge, namespace: edge }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: [shop.example.com, "edge/*.docs.example.com"] }]
---`;

const GATEWAY_API_SERVICE = `
apiVersion: v1
kind: Service
metadata: { name: edge-gw, namespace: edge, labels: { gateway.networking.k8s.io/gateway-name: edge } }
spec: { type: LoadBalancer, selector: { gateway.networking.k8s.io/gateway-name: edge } }
status: { loadBalancer: { ingress: [{ hostname: edge.elb.us-east-1.amazonaws.com }] } }
---`;

const forwardsOf = (found: ReturnType<typeof discover>) =>
  found.forwards?.map(
    (f) => `${f.hostname} ${f.kind} ${f.resource} → ${f.targets.map((t) => ('host' in t ? t.host : t.clusters.map((c) => c.name).join('+'))).join(',')}`,
  );

describe('edge routing: where an edge cluster forwards what it publishes', () => {
  it('Istio: the VirtualServices bound to the publishing Gateway whose hosts match, with every route destination', () => {
    const found = discover(
      `${ISTIO_EDGE}
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: edge }
spec:
  hosts: [Shop.Example.com]
  gateways: [edge]
  http:
    - match: [{ uri: { prefix: /static } }]
      route: [{ destination: { host: static-cache } }]
    - route:
        - { destination: { host: shop.example.com.mesh.internal., port: { number: 80 } }, weight: 100 }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: docs, namespace: docs }
spec:
  hosts: ["*.docs.example.com"]
  gateways: [edge/edge, mesh]
  http: [{ route: [{ destination: { host: docs.example.com.mesh.internal } }] }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: unbound, namespace: edge }
spec:
  hosts: [shop.example.com]
  gateways: [other-gateway]
  http: [{ route: [{ destination: { host: elsewhere.example.net } }] }]
`,
      edge,
    );
    expect(found.problems).toEqual([]);
    expect(forwardsOf(found)).toEqual([
      'shop.example.com VirtualService edge/shop → static-cache.edge.svc.cluster.local,shop.example.com.mesh.internal',
      '*.docs.example.com VirtualService docs/docs → docs.example.com.mesh.internal',
    ]);
  });

  it("Gateway API: the publishing HTTPRoute's backendRefs; an ExternalName Service and an Istio Hostname backend forward by name", () => {
    const found = discover(
      `${GATEWAY_API_SERVICE}
apiVersion: v1
kind: Service
metadata: { name: shop-upstream, namespace: shop }
spec: { type: ExternalName, externalName: shop.example.com.mesh.internal }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: edge }
spec:
  gatewayClassName: istio
  listeners: [{ name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: shop, namespace: shop }
spec:
  parentRefs: [{ name: edge, namespace: edge }]
  hostnames: [shop.example.com]
  rules: [{ backendRefs: [{ name: shop-upstream, port: 80 }] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: api, namespace: shop }
spec:
  parentRefs: [{ name: edge, namespace: edge }]
  hostnames: [api.example.com]
  rules:
    - backendRefs: [{ group: networking.istio.io, kind: Hostname, name: api.example.com.mesh.internal, port: 80 }]
    - backendRefs: [{ name: local-api, port: 8080 }]
`,
      edge,
    );
    expect(reasons(found)).toEqual([]);
    expect(forwardsOf(found)).toEqual([
      'api.example.com HTTPRoute shop/api → api.example.com.mesh.internal,local-api.shop.svc.cluster.local',
      'shop.example.com HTTPRoute shop/shop → shop.example.com.mesh.internal',
    ]);
  });

  it.each([
    ['no hosts', '{ gateways: [edge], http: [{ route: [{ destination: { host: x } }] }] }', 'malformed VirtualService: spec.hosts:'],
    [
      'a route without destination host',
      '{ hosts: [shop.example.com], gateways: [edge], http: [{ route: [{ destination: { port: { number: 80 } } }] }] }',
      'malformed VirtualService: spec.http[0].route[0].destination.host:',
    ],
    ['http that is not a list', '{ hosts: [shop.example.com], gateways: [edge], http: { route: [] } }', 'malformed VirtualService: spec.http:'],
    ['no name', null, 'malformed VirtualService: metadata.name:'],
  ])('reports a malformed VirtualService (%s) by name, and the good routes still count', (_label, spec, reason) => {
    const broken =
      spec === null ? `metadata: { namespace: edge }\nspec: { hosts: [a.example.com] }` : `metadata: { name: broken, namespace: edge }\nspec: ${spec}`;
    const found = discover(
      `${ISTIO_EDGE}
apiVersion: networking.istio.io/v1
kind: VirtualService
${broken}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: edge }
spec: { hosts: [shop.example.com], gateways: [edge], http: [{ route: [{ destination: { host: shop.example.com.mesh.internal } }] }] }
`,
      edge,
    );
    expect(reasons(found)).toHaveLength(1);
    expect(reasons(found)[0]).toMatch(new RegExp(`^east/VirtualService/edge/(broken|\\(unnamed\\)): ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(forwardsOf(found)).toEqual(['shop.example.com VirtualService edge/shop → shop.example.com.mesh.internal']);
  });

  it('reports a malformed HTTPRoute backend once, by name', () => {
    const found = discover(
      `${GATEWAY_API_SERVICE}
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: edge }
spec: { listeners: [{ name: http, port: 80, protocol: HTTP }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: shop, namespace: edge }
spec:
  parentRefs: [{ name: edge }]
  hostnames: [shop.example.com, www.shop.example.com]
  rules: [{ backendRefs: [{ port: 80 }] }]
`,
      edge,
    );
    expect(reasons(found)).toEqual([
      'east/HTTPRoute/edge/shop: malformed HTTPRoute: spec.rules[0].backendRefs[0].name: Invalid input: expected string, received undefined',
    ]);
    expect(found.forwards).toEqual([]);
  });

  it("reads no routes on a workload cluster: its VirtualServices are the app's own business", () => {
    const found = discover(`${ISTIO_EDGE}
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: broken, namespace: edge }
spec: { gateways: [edge] }
`);
    expect(found.problems).toEqual([]);
    expect(found.forwards).toBeUndefined();
  });
});
