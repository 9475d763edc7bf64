// What `switchyard plan` and `sync` need from the outside world, in one place: the
// Route 53 client, the endpoint source, the clock and the output streams. Tests
// replace fields of `dnsIo` (and restore them) to run the verbs in process
// without AWS and without real waiting.
import { FileEndpointSource } from '../aws/endpoints-file.ts';
import type { EndpointSource } from '../core/ports.ts';
import { eksEndpointSource } from '../k8s/eks-source.ts';
import { manifestFolderSource } from '../k8s/source.ts';
import { route53Limiter } from '../aws/retry.ts';
import { systemPacer, type Pacer } from '../core/ports.ts';
import { Route53Adapter, createRoute53Client, loopbackConfig, regionConfig } from '../aws/route53.ts';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DynamoStateTable } from '../aws/state-table.ts';
import type { StateTable } from '../core/ports.ts';
import type { DnsPorts } from '../app/dns/sync.ts';
import { appsTakenOut, effectiveIntents } from '../core/fleet-document.ts';
import type { LoadedFleet } from '../fleet/fleet-file.ts';
import { parseSourceFlag, SOURCE_KINDS, type SourceKind } from './source-flag.ts';

export const ENDPOINT_SOURCES = SOURCE_KINDS;
export type EndpointSourceKind = SourceKind;

/**
 * `manifests`: each cluster's `manifests` folder (Gateway discovery from files);
 * `eks`: each cluster's API server through EKS; `endpoints-file`: the fleet's `endpointsFile`;
 * `auto`: manifests when some cluster has a folder, else the endpoints file.
 */
export function defaultEndpointSource(fleet: LoadedFleet, kind: EndpointSourceKind): EndpointSource {
  switch (kind) {
    case 'manifests':
      return manifestFolderSource(fleet);
    case 'eks':
      return eksEndpointSource(fleet.config);
    case 'endpoints-file':
      return new FileEndpointSource(fleet);
    case 'auto':
      return fleet.config.clusters.some((c) => c.manifests !== undefined) ? manifestFolderSource(fleet) : new FileEndpointSource(fleet);
  }
}

/** Validates plan's and sync's --source flag. */
export function endpointSourceKind(value: string | undefined): EndpointSourceKind {
  return parseSourceFlag(value, SOURCE_KINDS, (text) => dnsIo.err(text));
}

export interface DnsIo {
  clock: Pacer;
  createClient: typeof createRoute53Client;
  /** Where published endpoints come from (see ENDPOINT_SOURCES). */
  endpointSource: (fleet: LoadedFleet, kind: EndpointSourceKind) => EndpointSource;
  /** The state table (operator intents) by name; `endpointUrl` as for Route 53. */
  stateTable: (tableName: string, endpointUrl: string | undefined) => StateTable;
  /** Whether the table exists (DescribeTable). */
  tableExists: (tableName: string, endpointUrl: string | undefined) => Promise<boolean>;
  /** Puts one event (PutEvents); throws when EventBridge refuses it. */
  putEvent: (entry: PutEventsRequestEntry, endpointUrl: string | undefined) => Promise<void>;
  /** A repeating timer (the sync's lease renewal); returns its stop. */
  every: (ms: number, tick: () => void) => () => void;
  /** Results (tables, JSON). */
  out: (text: string) => void;
  /** Progress and warnings. */
  err: (text: string) => void;
}

export const dnsIo: DnsIo = {
  clock: systemPacer,
  createClient: createRoute53Client,
  endpointSource: defaultEndpointSource,
  stateTable: (tableName, endpointUrl) => new DynamoStateTable({ client: dynamoClient(endpointUrl), tableName }),
  tableExists: async (tableName, endpointUrl) => {
    const client = dynamoClient(endpointUrl);
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
      throw error;
    } finally {
      client.destroy();
    }
  },
  putEvent: async (entry, endpointUrl) => {
    const client = new EventBridgeClient({
      ...regionConfig(undefined, endpointUrl, process.env, 'EVENTBRIDGE'),
      ...loopbackConfig(endpointUrl, process.env, 'EVENTBRIDGE'),
    });
    try {
      const out = await client.send(new PutEventsCommand({ Entries: [entry] }));
      const failed = out.Entries?.[0]?.ErrorCode;
      if ((out.FailedEntryCount ?? 0) > 0 || failed) throw new Error(`PutEvents: ${failed ?? 'failed'} ${out.Entries?.[0]?.ErrorMessage ?? ''}`.trim());
    } finally {
      client.destroy();
    }
  },
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

function dynamoClient(endpointUrl: string | undefined): DynamoDBClient {
  return new DynamoDBClient({ ...regionConfig(undefined, endpointUrl, process.env, 'DYNAMODB'), ...loopbackConfig(endpointUrl, process.env, 'DYNAMODB') });
}

export interface Route53Flags {
  endpointUrl?: string;
  dryRun?: boolean;
}

/** A rate-limited, retrying Route 53 adapter over a client for these flags. */
export function route53For(flags: Route53Flags, onDryRun?: (operation: string, detail: string) => void): Route53Adapter {
  const clock = dnsIo.clock;
  return new Route53Adapter({
    client: dnsIo.createClient({ endpointUrl: flags.endpointUrl }),
    limiter: route53Limiter(clock),
    retry: {
      clock,
      onRetry: ({ operation, attempt, delayMs, error }) =>
        dnsIo.err(`retrying ${operation} in ${Math.round(delayMs)} ms (attempt ${attempt} got ${(error as { name?: string }).name ?? 'an error'})`),
    },
    dryRun: flags.dryRun ?? false,
    onDryRun,
  });
}

/**
 * The intents `plan` and `sync` follow: from the state table when one is named (drains,
 * restores, failover of a cluster or of one app), else none (every cluster ACTIVE).
 * The table is read once per run.
 */
export function intentPorts(
  tableName: string | undefined,
  endpointUrl: string | undefined,
  clusters: readonly string[],
): Pick<DnsPorts, 'intents' | 'appIntents'> {
  if (!tableName) return {};
  let read: ReturnType<StateTable['readFleet']> | undefined;
  const state = () => (read ??= dnsIo.stateTable(tableName, endpointUrl).readFleet());
  return {
    intents: async () => effectiveIntents(await state(), clusters),
    appIntents: async () => appsTakenOut(await state()).map((app) => ({ ...app, weightPercent: 0 })),
  };
}
