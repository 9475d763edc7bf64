// The handlers' dependencies in the local runtime: the ports the Lambda functions build
// from their environment on AWS (src/lambda/env), built here over AWS SDK v3 clients
// pointed at the runtime's own endpoint, so the handler code cannot tell where it runs.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { RateLimiter } from '../../aws/retry.ts';
import { createRoute53Client, Route53Adapter, ROUTE53_REGION } from '../../aws/route53.ts';
import { route53HealthSource } from '../../app/health-source.ts';
import { cloudWatchAlarmStates } from '../../aws/alarm-states.ts';
import { sfnExecutions, sfnStarter, type StateMachineArns } from '../../aws/sfn.ts';
import { DynamoStateTable } from '../../aws/state-table.ts';
import type { LoadedFleet } from '../../fleet/fleet-file.ts';
import { InvalidInput } from '../../core/errors.ts';
import { manifestFolderSource } from '../../k8s/source.ts';
import { WORKFLOW_NAMES, type Deps } from '../../core/ports.ts';
import { route53Dns } from '../../app/dns/route53-dns.ts';
import { LOCAL_REGION, type LocalNames } from './names.ts';
import { inProcessRequestHandler, inProcessSigner, type InProcessServer } from '@switchyard/local-aws';

/** The emulator enforces Route 53's 5 requests/second only when asked to; the runtime's own client does not queue. */
class Unlimited extends RateLimiter {
  override async take(): Promise<void> {}
}

/** Placeholder credentials: the local services do not check signatures, and these never reach AWS. */
const LOCAL_CREDENTIALS = { accessKeyId: 'switchyard-local', secretAccessKey: 'switchyard-local' };

export interface LocalClients {
  route53: Route53Adapter;
  /** The raw Route 53 client, for the calls the adapter does not make (CreateHostedZone). */
  route53Client: Route53Client;
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  cloudwatch: CloudWatchClient;
  eventbridge: EventBridgeClient;
  destroy(): void;
}

/**
 * The runtime's own clients. With `serve` (the endpoint's in-process entry), their requests
 * reach the endpoint without a socket: the same messages, checks and services as over HTTP,
 * with a placeholder where the signature goes (the local services check none).
 */
export function localClients(endpointUrl: string, region = LOCAL_REGION, serve?: InProcessServer): LocalClients {
  const requestHandler = serve === undefined ? undefined : inProcessRequestHandler(serve);
  const signer = (service: string, signingRegion = region) => inProcessSigner({ accessKeyId: LOCAL_CREDENTIALS.accessKeyId, service, region: signingRegion });
  /** The client options of the service whose SigV4 signing name is `service`. */
  const config = (service: string) => ({
    endpoint: endpointUrl,
    region,
    credentials: LOCAL_CREDENTIALS,
    ...(requestHandler === undefined ? {} : { requestHandler, signer: signer(service) }),
  });
  // No credentials in that env: loopback placeholders.
  const route53Client = createRoute53Client(
    { endpointUrl },
    {},
    requestHandler === undefined ? {} : { requestHandler, signer: signer('route53', ROUTE53_REGION) },
  );
  const clients = {
    route53: new Route53Adapter({ client: route53Client, limiter: new Unlimited(), retry: { baseDelayMs: 20, maxDelayMs: 500 } }),
    route53Client,
    dynamodb: new DynamoDBClient(config('dynamodb')),
    sfn: new SFNClient(config('states')),
    cloudwatch: new CloudWatchClient(config('monitoring')),
    eventbridge: new EventBridgeClient(config('events')),
  };
  return {
    ...clients,
    destroy() {
      route53Client.destroy();
      clients.dynamodb.destroy();
      clients.sfn.destroy();
      clients.cloudwatch.destroy();
      clients.eventbridge.destroy();
    },
  };
}

/** `insyncPollMs`: how often a task polls GetChange while it waits for INSYNC (the runtime scales it with its waits). */
export function localDeps(options: { fleet: LoadedFleet; clients: LocalClients; names: LocalNames; insyncPollMs?: number }): Deps {
  const { fleet, clients, names, insyncPollMs } = options;
  const config = fleet.config;
  const table = new DynamoStateTable({ client: clients.dynamodb, tableName: names.table });
  const machines: StateMachineArns = Object.fromEntries(WORKFLOW_NAMES.map((w) => [w, names.stateMachineArn(w)]));
  return {
    fleet: config,
    stage: names.stage,
    table,
    dns: route53Dns({ fleet: config, route53: clients.route53, ...(insyncPollMs === undefined ? {} : { insyncPollMs }) }),
    // The same health source as on AWS: the canary checks' GetHealthCheckStatus and the alarm states Failover recorded.
    health: route53HealthSource({ fleet: config, route53: clients.route53, table }),
    workflows: sfnStarter(clients.sfn, machines),
    executions: sfnExecutions(clients.sfn),
    eks: {
      async describeUpdate(request) {
        throw new InvalidInput(`EKS is not emulated by the local runtime: cannot follow update ${request.updateId} of ${request.eksClusterName}`, {
          ...request,
        });
      },
    },
    discovery: manifestFolderSource(fleet),
    alarms: cloudWatchAlarmStates([clients.cloudwatch]),
    clock: { now: () => new Date() },
  };
}
