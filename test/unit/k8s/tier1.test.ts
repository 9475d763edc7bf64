import { describe, expect, it } from 'vitest';
import { discover, hostsOf, reasons } from './helpers.ts';

const TIER1_SERVICE = `
apiVersion: v1
kind: Service
metadata: { name: tier1, namespace: tier1, labels: { app: tier1-gateway } }
spec: { type: LoadBalancer, selector: { app: tier1-gateway } }
status: { loadBalancer: { ingress: [{ hostname: t1.elb.us-east-1.amazonaws.com }] } }
---`;

const edge = { role: 'edge' as const };

describe('Tetrate Tier1Gateway parsing (edge clusters)', () => {
  it('publishes the hosts of external, TCP and passthrough servers, not internal ones, each with its clusters', () => {
    // Prepare: the TSB reference example (HTTP redirect + TLS termination), with a TCP and an internal server
    const found = discover(
      `${TIER1_SERVICE}
apiVersion: gateway.tsb.tetrate.io/v2
kind: Tier1Gateway
metadata:
  name: tier1
  namespace: tier1
  annotations: { tsb.tetrate.io/organization: myorg, switchyard.io/routing: latency }
spec:
  workloadSelector: { namespace: tier1, labels: { app: tier1-gateway } }
  externalServers:
    - name: movieinfo-plain
      hostname: movieinfo.example.com
      port: 8080
      redirect: { authority: movieinfo.example.com, uri: /, redirectCode: 301, port: 8443, scheme: https }
    - name: movieinfo
      hostname: Movieinfo.Example.com
      port: 8443
      tls: { mode: SIMPLE, secretName: movieinfo-secrets }
      clusters: [{ name: west, weight: 90 }, { name: eu, weight: 10 }]
  tcpExternalServers:
    - name: kafka
      hostname: kafka.example.com
      port: 9000
      clusters: [{ name: west }]
  internalServers:
    - name: mesh-only
      hostname: internal.example.com
`,
      edge,
    );
    // Assess
    expect(found.problems).toEqual([]);
    expect(hostsOf(found)).toEqual({ 'kafka.example.com': 't1.elb.us-east-1.amazonaws.com', 'movieinfo.example.com': 't1.elb.us-east-1.amazonaws.com' });
    expect(found.endpoints[1]).toMatchObject({ kind: 'Tier1Gateway', gateway: 'tier1/tier1', annotations: { routing: 'latency' } });
    // The redirecting server forwards nothing; the TLS one forwards to its clusters.
    expect(found.forwards).toEqual([
      {
        cluster: 'east',
        hostname: 'movieinfo.example.com',
        kind: 'Tier1Gateway',
        resource: 'tier1/tier1',
        targets: [
          {
            clusters: [
              { name: 'west', weight: 90 },
              { name: 'eu', weight: 10 },
            ],
          },
        ],
      },
      { cluster: 'east', hostname: 'kafka.example.com', kind: 'Tier1Gateway', resource: 'tier1/tier1', targets: [{ clusters: [{ name: 'west' }] }] },
    ]);
  });

  it.each([
    ['no spec', '{}', 'malformed Tier1Gateway: spec:'],
    [
      'no workloadSelector',
      '{ spec: { externalServers: [{ name: a, hostname: a.example.com, port: 80 }] } }',
      'malformed Tier1Gateway: spec.workloadSelector:',
    ],
    [
      'a server without hostname',
      '{ spec: { workloadSelector: { labels: { app: tier1-gateway } }, externalServers: [{ name: a, port: 80 }] } }',
      'malformed Tier1Gateway: spec.externalServers[0].hostname:',
    ],
    [
      'clusters that are not a list',
      '{ spec: { workloadSelector: { labels: { app: tier1-gateway } }, externalServers: [{ name: a, hostname: a.example.com, clusters: c3 }] } }',
      'malformed Tier1Gateway: spec.externalServers[0].clusters:',
    ],
    [
      'a port out of range',
      '{ spec: { workloadSelector: { labels: { app: tier1-gateway } }, externalServers: [{ name: a, hostname: a.example.com, port: 70000 }] } }',
      'malformed Tier1Gateway: spec.externalServers[0].port:',
    ],
    [
      'only internal servers',
      '{ spec: { workloadSelector: { labels: { app: tier1-gateway } }, internalServers: [{ name: a, hostname: a.example.com }] } }',
      'publishes no hostname',
    ],
  ])('reports a malformed Tier1Gateway (%s) by name and keeps the good one', (_label, body, reason) => {
    // Prepare: the broken resource next to a good one
    const found = discover(
      `${TIER1_SERVICE}
apiVersion: gateway.tsb.tetrate.io/v2
kind: Tier1Gateway
metadata: { name: broken, namespace: tier1 }
${body.replace(/^\{ ?/, '').replace(/ ?\}$/, '')}
---
apiVersion: gateway.tsb.tetrate.io/v2
kind: Tier1Gateway
metadata: { name: good, namespace: tier1 }
spec:
  workloadSelector: { labels: { app: tier1-gateway } }
  externalServers: [{ name: shop, hostname: shop.example.com, port: 443, clusters: [{ name: west }] }]
`,
      edge,
    );
    // Assess: one problem naming the broken resource; the good one publishes and forwards
    expect(reasons(found)).toHaveLength(1);
    expect(reasons(found)[0]).toContain(`east/Tier1Gateway/tier1/broken: ${reason}`);
    expect(hostsOf(found)).toEqual({ 'shop.example.com': 't1.elb.us-east-1.amazonaws.com' });
    expect(found.forwards?.map((f) => f.resource)).toEqual(['tier1/good']);
  });
});
