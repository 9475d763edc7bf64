import { describe, expect, it } from 'vitest';
import { discover, hostsOf, reasons } from './helpers.ts';

// A shared Gateway as a platform team writes it (status as the Istio controller reports it).
const SHARED_GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: shared
  namespace: infra
  annotations:
    switchyard.io/health-path: /ready
    switchyard.io/weight: "50"
spec:
  gatewayClassName: istio
  listeners:
    - name: http
      port: 80
      protocol: HTTP
      allowedRoutes: { namespaces: { from: All } }
    - name: https-example
      hostname: "*.example.com"
      port: 443
      protocol: HTTPS
      tls: { mode: Terminate, certificateRefs: [{ name: wildcard }] }
      allowedRoutes:
        namespaces:
          from: Selector
          selector: { matchLabels: { exposed: "true" } }
    - name: https-shop
      hostname: shop.example.com
      port: 443
      protocol: HTTPS
      tls: { mode: Terminate, certificateRefs: [{ name: shop }] }
      allowedRoutes: { namespaces: { from: Same } }
    - name: tls-passthrough
      hostname: "*.example.com"
      port: 8443
      protocol: TLS
      tls: { mode: Passthrough }
      allowedRoutes: { namespaces: { from: All } }
status:
  addresses:
    - type: Hostname
      value: shared-123.elb.us-east-1.amazonaws.com
---
apiVersion: v1
kind: Namespace
metadata: { name: store, labels: { exposed: "true" } }
---
apiVersion: v1
kind: Namespace
metadata: { name: internal, labels: { exposed: "false" } }
---
`;
const LB = 'shared-123.elb.us-east-1.amazonaws.com';

const route = (name: string, namespace: string, spec: string, extra = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${namespace}${extra} }
spec:
${spec}
---`;

describe('Gateway API parsing', () => {
  it("publishes a Gateway's specific listener hostnames; wildcard listeners only narrow routes", () => {
    const found = discover(SHARED_GATEWAY);
    expect(found.endpoints).toEqual([
      {
        hostname: 'shop.example.com',
        cluster: 'east',
        kind: 'Gateway',
        gateway: 'infra/shared',
        entryPoint: LB,
        annotations: { healthPath: '/ready', weight: 50 },
      },
    ]);
    expect(found.problems).toEqual([]);
  });

  it('narrows a route through a wildcard listener, and publishes every hostname the listeners allow', () => {
    const found = discover(
      SHARED_GATEWAY +
        route(
          'storefront',
          'store',
          `  parentRefs: [{ name: shared, namespace: infra, sectionName: https-example }]
  hostnames: [Store.Example.com, "*.store.example.com", other.org]`,
        ),
    );
    expect(found.endpoints.filter((e) => e.kind === 'HTTPRoute').map((e) => e.hostname)).toEqual(['*.store.example.com', 'store.example.com']);
    expect(found.problems).toEqual([]);
  });

  it("takes a listener's hostname when the route has none (a wildcard listener publishes its wildcard)", () => {
    const found = discover(SHARED_GATEWAY + route('all', 'store', `  parentRefs: [{ name: shared, namespace: infra, sectionName: https-example }]`));
    expect(hostsOf(found)).toMatchObject({ '*.example.com': LB });
    expect(found.endpoints.find((e) => e.hostname === '*.example.com')).toMatchObject({ kind: 'HTTPRoute', gateway: 'store/all' });
  });

  it('reports a route with no hostname on a listener with none: it matches every name', () => {
    const found = discover(SHARED_GATEWAY + route('catchall', 'store', `  parentRefs: [{ name: shared, namespace: infra, sectionName: http }]`));
    expect(reasons(found)).toEqual([
      'east/HTTPRoute/store/catchall: neither it nor listener "http" of Gateway infra/shared listener "http" has a hostname: it matches every name and cannot be published',
    ]);
  });

  describe('a route attached to several Gateways and listeners', () => {
    const internal = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: internal-gw, namespace: infra }
spec:
  listeners: [{ name: http, port: 80, protocol: HTTP, hostname: "*.internal.example.com" }]
---
apiVersion: v1
kind: Service
metadata:
  name: internal-gw-istio
  namespace: infra
  labels: { gateway.networking.k8s.io/gateway-name: internal-gw }
spec: { type: LoadBalancer, selector: { gateway.networking.k8s.io/gateway-name: internal-gw } }
status: { loadBalancer: { ingress: [{ hostname: internal-9.elb.us-east-1.amazonaws.com }] } }
---`;

    it("publishes each hostname through the Gateway whose listeners accept it, with that Gateway's entry point", () => {
      const found = discover(
        SHARED_GATEWAY +
          internal +
          route(
            'shop',
            'infra',
            `  parentRefs:
    - { name: shared, sectionName: https-shop }
    - { name: shared, port: 443 }
    - { name: internal-gw }
  hostnames: [shop.example.com, admin.internal.example.com]`,
          ),
      );
      expect(hostsOf(found)).toEqual({
        'admin.internal.example.com': 'internal-9.elb.us-east-1.amazonaws.com',
        'shop.example.com': LB,
      });
      expect(found.endpoints.every((e) => e.kind === 'HTTPRoute' && e.gateway === 'infra/shop')).toBe(true);
      expect(found.problems).toEqual([]);
    });

    it('reports a hostname served through two Gateways with different entry points, and keeps one', () => {
      const found = discover(
        SHARED_GATEWAY +
          internal +
          route('admin', 'infra', `  parentRefs: [{ name: shared, sectionName: http }, { name: internal-gw }]\n  hostnames: [admin.internal.example.com]`),
      );
      expect(hostsOf(found)).toMatchObject({ 'admin.internal.example.com': 'internal-9.elb.us-east-1.amazonaws.com' });
      expect(reasons(found)).toEqual([
        'east/HTTPRoute/infra/admin: "admin.internal.example.com" is also published by HTTPRoute infra/admin with a different entry point; using that one',
      ]);
    });
  });

  it("lets route annotations override the Gateway's, and a route's hostname wins over the same listener hostname silently", () => {
    const found = discover(
      SHARED_GATEWAY +
        route(
          'shop',
          'infra',
          `  parentRefs: [{ name: shared, sectionName: https-shop }]\n  hostnames: [shop.example.com]`,
          `, annotations: { switchyard.io/weight: "10" }`,
        ),
    );
    expect(found.endpoints).toEqual([
      {
        hostname: 'shop.example.com',
        cluster: 'east',
        kind: 'HTTPRoute',
        gateway: 'infra/shop',
        entryPoint: LB,
        annotations: { healthPath: '/ready', weight: 10 },
      },
    ]);
    expect(found.problems).toEqual([]);
  });

  describe('attachment', () => {
    it.each([
      ['a parent that does not exist', `[{ name: nope, namespace: infra }]`, 'store', 'parent Gateway infra/nope not found'],
      [
        'a listener name that does not exist',
        `[{ name: shared, namespace: infra, sectionName: grpc }]`,
        'store',
        'Gateway infra/shared listener "grpc" has no such listener',
      ],
      [
        'a namespace the Selector does not pick',
        `[{ name: shared, namespace: infra, sectionName: https-example }]`,
        'internal',
        'selects route namespaces by label and namespace internal does not match',
      ],
      [
        'a namespace whose labels are unknown',
        `[{ name: shared, namespace: infra, sectionName: https-example }]`,
        'unlisted',
        'the labels of namespace unlisted are unknown',
      ],
      [
        'another namespace on a Same listener',
        `[{ name: shared, namespace: infra, sectionName: https-shop }]`,
        'store',
        'only takes routes from its own namespace infra',
      ],
      [
        'a TLS listener',
        `[{ name: shared, namespace: infra, sectionName: tls-passthrough }]`,
        'store',
        'listener "tls-passthrough" (TLS) does not take HTTPRoutes',
      ],
    ])('reports %s', (_, parentRefs, namespace, reason) => {
      const found = discover(SHARED_GATEWAY + route('r', namespace, `  parentRefs: ${parentRefs}\n  hostnames: [store.example.com]`));
      expect(found.endpoints.filter((e) => e.kind === 'HTTPRoute')).toEqual([]);
      expect(found.problems).toHaveLength(1);
      expect(found.problems[0]?.subject).toBe(`east/HTTPRoute/${namespace}/r`);
      expect(found.problems[0]?.reason).toContain(reason);
    });

    it('reports hostnames that match no listener hostname', () => {
      const found = discover(
        SHARED_GATEWAY + route('r', 'infra', `  parentRefs: [{ name: shared, sectionName: https-shop }]\n  hostnames: [cart.example.com]`),
      );
      expect(reasons(found)).toEqual([
        'east/HTTPRoute/infra/r: its hostnames (cart.example.com) match no listener hostname of Gateway infra/shared listener "https-shop" (shop.example.com)',
      ]);
    });

    it("trusts the controller's Accepted status over its own reading of allowedRoutes", () => {
      const status = (accepted: string) => `
status:
  parents:
    - parentRef: { group: gateway.networking.k8s.io, kind: Gateway, name: shared, namespace: infra, sectionName: https-example }
      controllerName: istio.io/gateway-controller
      conditions:
        - { type: Accepted, status: "${accepted}", reason: NotAllowedByListeners, message: "hostname does not match" }
`;
      const yes = discover(
        SHARED_GATEWAY +
          route(
            'r',
            'unlisted',
            `  parentRefs: [{ name: shared, namespace: infra, sectionName: https-example }]\n  hostnames: [r.example.com]${status('True')}`,
          ),
      );
      expect(Object.keys(hostsOf(yes))).toContain('r.example.com');

      const no = discover(
        SHARED_GATEWAY +
          route('r', 'store', `  parentRefs: [{ name: shared, namespace: infra, sectionName: https-example }]\n  hostnames: [r.example.com]${status('False')}`),
      );
      expect(Object.keys(hostsOf(no))).not.toContain('r.example.com');
      expect(reasons(no)).toEqual([
        'east/HTTPRoute/store/r: not accepted by Gateway infra/shared listener "https-example": NotAllowedByListeners: hostname does not match',
      ]);
    });

    it('ignores mesh routes (parent is a Service)', () => {
      const found = discover(
        SHARED_GATEWAY + route('mesh', 'store', `  parentRefs: [{ group: "", kind: Service, name: reviews }]\n  hostnames: [reviews.example.com]`),
      );
      expect(Object.keys(hostsOf(found))).toEqual(['shop.example.com']);
      expect(found.problems).toEqual([]);
    });
  });

  describe('entry point', () => {
    const gateway = (status: string) => `
apiVersion: gateway.networking.k8s.io/v1beta1
kind: Gateway
metadata: { name: web, namespace: web }
spec:
  gatewayClassName: istio
  listeners: [{ name: http, port: 80, protocol: HTTP, hostname: web.example.com }]
${status}
---`;

    it('finds the Service the implementation created (labelled with the Gateway name)', () => {
      const found = discover(`${gateway('')}
apiVersion: v1
kind: Service
metadata: { name: web-istio, namespace: web, labels: { gateway.networking.k8s.io/gateway-name: web } }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ hostname: web-1.elb.amazonaws.com }] } }
`);
      expect(hostsOf(found)).toEqual({ 'web.example.com': 'web-1.elb.amazonaws.com' });
    });

    it('finds an Envoy Gateway Service in its own namespace by the owning-gateway labels', () => {
      const found = discover(`${gateway('')}
apiVersion: v1
kind: Service
metadata:
  name: envoy-web-web-abc123
  namespace: envoy-gateway-system
  labels: { gateway.envoyproxy.io/owning-gateway-name: web, gateway.envoyproxy.io/owning-gateway-namespace: web }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ hostname: envoy-1.elb.amazonaws.com }] } }
`);
      expect(hostsOf(found)).toEqual({ 'web.example.com': 'envoy-1.elb.amazonaws.com' });
    });

    it('follows spec.addresses naming an existing Service (Istio manual deployment)', () => {
      const found = discover(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web, namespace: web }
spec:
  addresses: [{ type: Hostname, value: istio-ingressgateway.istio-system.svc.cluster.local }]
  listeners: [{ name: http, port: 80, protocol: HTTP, hostname: web.example.com }]
---
apiVersion: v1
kind: Service
metadata: { name: istio-ingressgateway, namespace: istio-system }
spec: { type: LoadBalancer, selector: { istio: ingressgateway } }
status: { loadBalancer: { ingress: [{ hostname: ingress-7.elb.amazonaws.com }] } }
`);
      expect(hostsOf(found)).toEqual({ 'web.example.com': 'ingress-7.elb.amazonaws.com' });
    });

    it('reports a Gateway with neither addresses nor a Service, once even with routes attached', () => {
      const found = discover(
        gateway('') + route('a', 'web', `  parentRefs: [{ name: web }]\n  hostnames: [web.example.com]`) + route('b', 'web', `  parentRefs: [{ name: web }]`),
      );
      expect(reasons(found)).toEqual([
        'east/Gateway/web/web: gateway Service not found: no load-balancer hostname in status.addresses and no Service labelled gateway.networking.k8s.io/gateway-name=web in namespace web',
      ]);
      expect(found.endpoints.map((e) => e.entryPoint)).toEqual([undefined]);
    });
  });

  it('reports a Gateway that publishes nothing', () => {
    const found = discover(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: idle, namespace: infra }
spec:
  listeners: [{ name: http, port: 80, protocol: HTTP, hostname: "*.example.com" }]
status: { addresses: [{ type: Hostname, value: idle.elb.amazonaws.com }] }
`);
    expect(reasons(found)).toEqual(['east/Gateway/infra/idle: publishes no hostname (no listener has a specific hostname and no HTTPRoute is attached)']);
  });
});
