// What an in-cluster forwarder does on AWS, for the simulated clusters: read each
// cluster's Gateways (its manifest folder), compare with the last picture sent, and put
// the differences on the app's bus as Gateway Published / Withdrawn events. The last
// picture is kept under the state folder, so a restart sends only what changed while the
// runtime was down (the first start publishes everything: that is the onboarding).
import { join } from 'node:path';
import type { FleetConfig } from '../../core/config.ts';
import { holdSilentClusters } from '../../core/held.ts';
import type { GatewayEvent } from '../../core/gateway-events.ts';
import type { Problem, PublishedEndpoint } from '../../core/model.ts';
import type { GatewayEventSink } from '../../k8s/event-sink.ts';
import { gatewayEvents } from '../../k8s/events.ts';
import type { EndpointSource } from '../../k8s/source.ts';
import { readJsonFile, writeJsonFileAtomic } from '../json-file.ts';

export interface FeedResult {
  events: GatewayEvent[];
  problems: Problem[];
  unreachable: string[];
}

export class GatewayFeed {
  readonly #fleet: FleetConfig;
  readonly #source: EndpointSource;
  readonly #sink: GatewayEventSink;
  readonly #file: string | undefined;
  #sent: PublishedEndpoint[] = [];
  #running: Promise<FeedResult> | undefined;

  private constructor(fleet: FleetConfig, source: EndpointSource, sink: GatewayEventSink, stateDir: string | undefined) {
    this.#fleet = fleet;
    this.#source = source;
    this.#sink = sink;
    this.#file = stateDir === undefined ? undefined : join(stateDir, 'discovery', 'published.json');
  }

  static async open(options: { fleet: FleetConfig; source: EndpointSource; sink: GatewayEventSink; stateDir?: string }): Promise<GatewayFeed> {
    const feed = new GatewayFeed(options.fleet, options.source, options.sink, options.stateDir);
    if (feed.#file !== undefined) feed.#sent = (await readJsonFile<PublishedEndpoint[]>(feed.#file)) ?? [];
    return feed;
  }

  /** The endpoints last sent to the bus. */
  get published(): readonly PublishedEndpoint[] {
    return this.#sent;
  }

  /** Reads the clusters and sends what changed since the last picture. One at a time. */
  sync(): Promise<FeedResult> {
    this.#running ??= this.#sync().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sync(): Promise<FeedResult> {
    const sentBy = new Map<string, number>();
    for (const e of this.#sent) sentBy.set(e.cluster, (sentBy.get(e.cluster) ?? 0) + 1);
    // A cluster that now publishes nothing where it published before is held, not withdrawn.
    const read = holdSilentClusters(await this.#source.list(), this.#fleet.clusters.map((c) => c.name), new Map([...sentBy].map(([c, n]) => [c, `it published ${n} endpoint(s) before`])));
    const observedAt = new Date().toISOString();
    const events: GatewayEvent[] = [];
    let next = this.#sent;
    for (const cluster of this.#fleet.clusters.map((c) => c.name)) {
      // An unreachable cluster withdraws nothing: its last picture stands.
      if (read.unreachable.includes(cluster)) continue;
      const after = read.endpoints.filter((e) => e.cluster === cluster);
      events.push(...gatewayEvents({ cluster, before: this.#sent, after, observedAt }));
      next = [...next.filter((e) => e.cluster !== cluster), ...after];
    }
    if (events.length > 0) await this.#sink(events);
    this.#sent = next;
    if (this.#file !== undefined) await writeJsonFileAtomic(this.#file, this.#sent);
    return { events, problems: read.problems, unreachable: read.unreachable };
  }
}
