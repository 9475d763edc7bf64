import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../../../src/core/config.ts';
import type { PublishedEndpoint } from '../../../../src/core/model.ts';
import { entryPointLookup } from '../../../../src/local/runtime/entry-points.ts';

const cluster = (name: string, entryPoint?: string) => ({ name, ...(entryPoint === undefined ? {} : { entryPoint }) }) as ClusterConfig;
const endpoint = (clusterName: string, hostname: string, entryPoint?: string): PublishedEndpoint => ({
  hostname,
  cluster: clusterName,
  kind: 'Gateway',
  gateway: `ns/${hostname}`,
  annotations: {},
  ...(entryPoint === undefined ? {} : { entryPoint }),
});

/** The scan the index replaces: the first cluster (config order) whose entry point, or any of whose endpoints' entry points, is the name. */
function bruteForce(clusters: readonly ClusterConfig[], published: readonly PublishedEndpoint[], dnsName: string): ClusterConfig | undefined {
  const name = dnsName.toLowerCase().replace(/\.$/, '');
  return clusters.find((c) => c.entryPoint?.toLowerCase() === name || published.some((e) => e.cluster === c.name && e.entryPoint?.toLowerCase() === name));
}

describe('the entry point → cluster lookup of the local runtime', () => {
  it('answers as the scan over every endpoint did, for any clusters, endpoints and names (property)', () => {
    const names = ['lb-a.elb.amazonaws.com', 'LB-B.elb.amazonaws.com', 'lb-c.elb.amazonaws.com.', 'lb-d.example'];
    const clusterNames = ['east', 'west', 'eu'];
    const entry = fc.option(fc.constantFrom(...names), { nil: undefined });
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 3, maxLength: 3 }),
        fc.array(fc.array(fc.tuple(fc.constantFrom(...clusterNames, 'unknown'), entry), { maxLength: 6 }), { maxLength: 3 }),
        fc.constantFrom(...names, ...names.map((n) => n.toUpperCase()), 'nothing.example'),
        (configured, lists, asked) => {
          const clusters = clusterNames.map((n, i) => cluster(n, configured[i]));
          const published = lists.map((list) => list.map(([c, e], i) => endpoint(c, `app-${i}.example.com`, e)));
          const lookup = entryPointLookup(clusters, () => published);
          expect(lookup(asked)?.name).toBe(bruteForce(clusters, published.flat(), asked)?.name);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('sees an agent’s new picture (a new list) and forgets the old one', () => {
    const clusters = [cluster('east', 'east-lb.elb.amazonaws.com'), cluster('west')];
    let westList: readonly PublishedEndpoint[] = [endpoint('west', 'shop.example.com', 'west-old.elb.amazonaws.com')];
    const lookup = entryPointLookup(clusters, () => [[], westList]);
    expect(lookup('west-old.elb.amazonaws.com.')?.name).toBe('west');
    expect(lookup('west-new.elb.amazonaws.com')).toBeUndefined();
    westList = [endpoint('west', 'shop.example.com', 'west-new.elb.amazonaws.com')];
    expect(lookup('west-new.elb.amazonaws.com')?.name).toBe('west');
    expect(lookup('west-old.elb.amazonaws.com')).toBeUndefined();
    expect(lookup('EAST-LB.elb.amazonaws.com')?.name).toBe('east');
  });
});
