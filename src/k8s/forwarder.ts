// The Gateway event forwarder: one feed per fleet cluster (its API server's watch, or
// its manifests folder) turns changes into `Gateway Published` / `Gateway Withdrawn`
// events, and one sender puts them on an EventBridge bus. Stopping closes every feed,
// lets each send what its last change produced (up to a flush time), then gives up on
// the rest, so a shutdown never hangs on a throttled bus.
import type { ClusterConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import type { GatewayEvent } from '../core/gateway-events.ts';
import type { GatewayEventSender } from './forwarder-sender.ts';
import type { ForwarderNotice } from './forwarder-state.ts';

/** What a feed reports to the forwarder. */
export interface FeedHooks {
  /** Sends one change's events; resolves when they are sent or given up (never throws). */
  emit(events: readonly GatewayEvent[]): Promise<void>;
  notice(notice: ForwarderNotice): void;
}

/** Watches one cluster. */
export interface ClusterFeed {
  readonly cluster: string;
  /** What it watches, for the start-up line. */
  readonly description: string;
  /** Starts watching in the background (an unreachable cluster is retried, never awaited). */
  start(): void;
  /** Stops watching; resolves once the events of the last change are sent or given up. */
  stop(): Promise<void>;
}

export interface ForwarderOptions {
  clusters: readonly ClusterConfig[];
  feedFor(cluster: ClusterConfig, hooks: FeedHooks): ClusterFeed;
  /** Builds the sender; `signal` aborts when the flush time at shutdown is up. */
  sender(signal: AbortSignal): GatewayEventSender;
  notice(notice: ForwarderNotice): void;
}

export interface ForwarderSummary {
  sent: number;
  /** Events refused by EventBridge, given up after retries, or cut off by shutdown. */
  lost: number;
  /** False when the flush time ran out with events still being sent. */
  flushed: boolean;
}

export interface Forwarder {
  readonly feeds: readonly ClusterFeed[];
  stop(options?: { flushTimeoutMs?: number }): Promise<ForwarderSummary>;
}

export function startForwarder(options: ForwarderOptions): Forwarder {
  const sending = new AbortController();
  const send = options.sender(sending.signal);
  const counts = { sent: 0, lost: 0 };
  const feeds = options.clusters.map((cluster) =>
    options.feedFor(cluster, {
      notice: options.notice,
      async emit(events) {
        try {
          const result = await send(events);
          counts.sent += result.sent.length;
          counts.lost += result.lost.length;
        } catch (error) {
          counts.lost += events.length;
          options.notice({ kind: 'failed', cluster: cluster.name, what: 'sending', reason: errorMessage(error) });
        }
      },
    }),
  );
  for (const feed of feeds) feed.start();

  return {
    feeds,
    async stop({ flushTimeoutMs = 10_000 } = {}) {
      const stopped = Promise.all(feeds.map((feed) => feed.stop()));
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), flushTimeoutMs)));
      const outcome = await Promise.race([stopped.then(() => 'stopped' as const), timeUp]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        sending.abort();
        await stopped;
      }
      return { ...counts, flushed: outcome === 'stopped' };
    },
  };
}
