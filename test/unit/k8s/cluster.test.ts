import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../../src/k8s/manifests.ts';
import { discoverCluster } from '../../../src/k8s/parse/cluster.ts';
import { context, discover, hostsOf, INGRESS_LB, INGRESS_SERVICE, reasons } from './helpers.ts';

const istio = (name: string, hosts: string[], annotations = '{}') => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: apps, annotations: ${annotations} }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ${JSON.stringify(hosts)} }]
---`;

describe('discoverCluster', () => {
  it("reports hostnames outside the cluster's domainFilter instead of dropping them silently", () => {
    const found = discover(INGRESS_SERVICE + '---' + istio('gw', ['shop.example.com', 'shop.example.org', 'example.com']), {
      domainFilter: ['shop.example.com'],
    });
    expect(Object.keys(hostsOf(found))).toEqual(['shop.example.com']);
    expect(reasons(found)).toEqual([
      'east/IstioGateway/apps/gw: "shop.example.org" is outside the cluster\'s domainFilter (shop.example.com)',
      'east/IstioGateway/apps/gw: "example.com" is outside the cluster\'s domainFilter (shop.example.com)',
    ]);
    expect(found.problems[0]?.hostname).toBe('shop.example.org');
  });

  it("marks the cluster's own canary hostname and refuses another cluster's", () => {
    const found = discover(INGRESS_SERVICE + '---' + istio('canary', ['canary-east.example.com', 'canary-west.example.com']));
    expect(found.endpoints).toEqual([expect.objectContaining({ hostname: 'canary-east.example.com', canary: true })]);
    expect(reasons(found)).toEqual(['east/IstioGateway/apps/canary: "canary-west.example.com" is cluster west\'s canary hostname; only west may publish it']);
  });

  it('keeps a resource with a bad annotation value, without that annotation, and reports it', () => {
    const found = discover(INGRESS_SERVICE + '---' + istio('gw', ['shop.example.com'], '{ switchyard.io/weight: "300", switchyard.io/routing: weighted }'));
    expect(found.endpoints).toEqual([expect.objectContaining({ hostname: 'shop.example.com', annotations: { routing: 'weighted' } })]);
    expect(reasons(found)).toEqual(['east/IstioGateway/apps/gw: ignored annotation switchyard.io/weight: "300" is not an integer 0–255']);
  });

  it('publishes a hostname once per cluster: identical duplicates merge silently, different ones are reported', () => {
    const found = discover(
      INGRESS_SERVICE +
        '---' +
        istio('a', ['shop.example.com', 'cart.example.com']) +
        istio('b', ['shop.example.com']) +
        istio('c', ['cart.example.com'], '{ switchyard.io/weight: "5" }'),
    );
    expect(found.endpoints.map((e) => `${e.hostname} ${e.gateway}`)).toEqual(['cart.example.com apps/a', 'shop.example.com apps/a']);
    expect(reasons(found)).toEqual([
      'east/IstioGateway/apps/c: "cart.example.com" is also published by IstioGateway apps/a with a different switchyard.io/ annotations; using that one',
    ]);
  });

  it('ignores objects that are not gateways, and returns endpoints sorted by hostname', () => {
    const found = discover(`${INGRESS_SERVICE}---
apiVersion: apps/v1
kind: Deployment
metadata: { name: httpbin, namespace: httpbin }
spec: {}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: vs, namespace: apps }
spec: { hosts: [vs.example.com] }
---${istio('gw', ['b.example.com', 'a.example.com'])}`);
    expect(found.endpoints.map((e) => e.hostname)).toEqual(['a.example.com', 'b.example.com']);
    expect(found.endpoints.every((e) => e.entryPoint === INGRESS_LB)).toBe(true);
  });

  it('property: a broken resource never changes what the other resources publish', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const host = fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example.com`);
    const broken = fc.constantFrom(
      istio('broken', ['*']),
      istio('broken', ['outside.example.org']),
      istio('broken', ['canary-west.example.com']),
      istio('broken', ['x.example.com'], '{ switchyard.io/routing: sideways }'),
      'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: broken, namespace: apps }\nspec: { servers: 7 }\n---',
      'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { namespace: apps }\nspec: {}\n---',
    );
    fc.assert(
      fc.property(fc.uniqueArray(host, { minLength: 1, maxLength: 6 }), broken, (hosts, bad) => {
        const good = INGRESS_SERVICE + '---' + istio('good', hosts);
        const alone = discoverCluster(parseManifests(good, 'good.yaml'), context());
        const withBad = discoverCluster(parseManifests(`${good}\n${bad}`, 'mixed.yaml'), context());
        const fromGood = withBad.endpoints.filter((e) => e.gateway === 'apps/good');
        expect(fromGood).toEqual(alone.endpoints);
        expect(withBad.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });
});
