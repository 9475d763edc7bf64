import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../../../src/core/gateway-events.ts';
import type { PublishedEndpoint } from '../../../../src/core/model.ts';
import type { SourceResult } from '../../../../src/k8s/source.ts';
import { GatewayFeed } from '../../../../src/local/runtime/gateway-feed.ts';
import { exampleEndpoints, exampleFleet } from '../../aws/helpers/example-fleet.ts';

describe('GatewayFeed', () => {
  it('holds a cluster whose read is suddenly empty: nothing of it is withdrawn, and it is reported', async () => {
    // Prepare: the example fleet sent once, then eu reads empty (an emptied manifests folder).
    let endpoints: PublishedEndpoint[] = exampleEndpoints();
    const sent: GatewayEvent[] = [];
    const feed = await GatewayFeed.open({
      fleet: exampleFleet,
      source: { description: 'test', list: async (): Promise<SourceResult> => ({ endpoints, problems: [], unreachable: [] }) },
      sink: async (events) => void sent.push(...events),
    });
    await feed.sync();
    sent.length = 0;
    endpoints = exampleEndpoints().filter((e) => e.cluster !== 'eu');

    // Act
    const result = await feed.sync();

    // Assess
    expect(sent).toEqual([]);
    expect(result.unreachable).toEqual(['eu']);
    expect(result.problems).toEqual([expect.objectContaining({ subject: 'eu', reason: expect.stringMatching(/^the source published nothing for it \(not even its canary\), but it published \d+ endpoint\(s\) before: the cluster is held/) })]);
    expect(feed.published.filter((e) => e.cluster === 'eu')).toEqual(exampleEndpoints().filter((e) => e.cluster === 'eu'));
  });
});
