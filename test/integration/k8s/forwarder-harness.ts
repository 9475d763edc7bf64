// Shared by the forwarder's integration tests: a local EventBridge on a loopback
// endpoint, and `discover --watch` run in process with its output captured.
import { runDiscoverWatch, type DiscoverOptions, type WatchIo } from '../../../src/cli/commands/discover.ts';
import { parseGatewayEvent, type GatewayEvent } from '../../../src/core/gateway-events.ts';
import { startEndpoint, type Endpoint } from '@switchyard/local-aws';
import { LocalEventBus, eventBridgeService } from '@switchyard/local-aws/eventbridge';

export interface LocalBus {
  bus: LocalEventBus;
  endpoint: Endpoint;
  /** The events that reached the bus, validated as Gateway events, oldest first. */
  events(): Array<GatewayEvent & { bus: string; id: string }>;
}

export async function startLocalBus(): Promise<LocalBus> {
  const bus = await LocalEventBus.open();
  const endpoint = await startEndpoint({ port: 0, services: [eventBridgeService(bus)], log: () => undefined });
  return { bus, endpoint, events: () => bus.recentEvents().map((r) => ({ bus: r.bus, id: r.event.id, ...parseGatewayEvent(r.event) })) };
}

export interface WatchRun {
  /** Lines printed per event sent. */
  out: string[];
  /** Notices. */
  err: string[];
  /** Sends SIGINT's equivalent and resolves with the exit code. */
  finish(): Promise<number>;
}

/** Runs `discover --watch` in process until finish(); options and io as the CLI would pass them. */
export function runWatch(options: DiscoverOptions, io: Partial<WatchIo> = {}): WatchRun {
  const stop = new AbortController();
  const out: string[] = [];
  const err: string[] = [];
  const running = runDiscoverWatch({ watch: true, ...options }, { out: (t) => out.push(t), err: (t) => err.push(t), signal: stop.signal, env: {}, ...io });
  return {
    out,
    err,
    finish: () => {
      stop.abort();
      return running;
    },
  };
}

/** Waits a little: long enough for a change to have been sent had there been one. */
export const quiet = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
