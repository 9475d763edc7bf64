// What drain, restore, status and history need: SDK clients for the chosen endpoint
// (AWS by default, AWS_ENDPOINT_URL, or --endpoint-url such as the local runtime's), the
// stage (state machines `switchyard-<stage>-<Workflow>`, table `switchyard-<stage>-state`)
// and the output streams. Tests replace `opsIo` fields to run the verbs in process.
import type { Command } from 'commander';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { createRoute53Client, loopbackConfig, regionConfig, Route53Adapter } from '../../aws/route53.ts';
import { findStateMachines, type StateMachineArns } from '../../aws/sfn.ts';
import { DynamoStateTable } from '../../aws/state-table.ts';
import { InvalidInput } from '../../core/errors.ts';
import type { WorkflowName } from '../../core/ports.ts';
import { stagePrefix, stateMachineName, stateTableName } from '../../core/resource-names.ts';

export interface TargetFlags {
  stage?: string;
  endpointUrl?: string;
  region?: string;
  stateTable?: string;
}

export interface OpsIo {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
}

export const opsIo: OpsIo = {
  env: process.env,
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => new Date(),
};

export interface OpsClients {
  sfn: SFNClient;
  dynamodb: DynamoDBClient;
  route53Client: Route53Client;
  route53: Route53Adapter;
  destroy(): void;
}

/** The options every ops verb takes to find its target: `--stage` (what it names differs), endpoint and region. */
export function withTargetOptions(command: Command, stageNames: string): Command {
  return command
    .option('--stage <stage>', `deployment stage: ${stageNames} (default: SWITCHYARD_STAGE)`)
    .option('--endpoint-url <url>', 'AWS endpoint, e.g. http://127.0.0.1:4566 for the local runtime (default: AWS, or AWS_ENDPOINT_URL)')
    .option('--region <region>', "AWS region (default: the SDK chain: AWS_REGION, then the profile's region)");
}

export function opsClients(flags: TargetFlags, env: NodeJS.ProcessEnv = opsIo.env): OpsClients {
  const sfn = new SFNClient({ ...regionConfig(flags.region, flags.endpointUrl, env, 'SFN'), ...loopbackConfig(flags.endpointUrl, env, 'SFN') });
  const dynamodb = new DynamoDBClient({
    ...regionConfig(flags.region, flags.endpointUrl, env, 'DYNAMODB'),
    ...loopbackConfig(flags.endpointUrl, env, 'DYNAMODB'),
  });
  const route53Client = createRoute53Client(flags.endpointUrl === undefined ? {} : { endpointUrl: flags.endpointUrl }, env);
  return {
    sfn,
    dynamodb,
    route53Client,
    route53: new Route53Adapter({ client: route53Client }),
    destroy() {
      sfn.destroy();
      dynamodb.destroy();
      route53Client.destroy();
    },
  };
}

export function stageOf(flags: TargetFlags, env: NodeJS.ProcessEnv = opsIo.env): string | undefined {
  const stage = flags.stage ?? env.SWITCHYARD_STAGE;
  if (stage !== undefined && !/^[a-z0-9][a-z0-9-]*$/i.test(stage))
    throw new InvalidInput(`--stage: "${stage}" is not a stage name (letters, digits, "-")`, { flag: 'stage' });
  return stage;
}

/** --state-table, else SWITCHYARD_STATE_TABLE, else switchyard-<stage>-state. */
export function stateTableFor(flags: TargetFlags, clients: OpsClients, env: NodeJS.ProcessEnv = opsIo.env): DynamoStateTable {
  const stage = stageOf(flags, env);
  const tableName = flags.stateTable ?? env.SWITCHYARD_STATE_TABLE ?? (stage ? stateTableName(stage) : undefined);
  if (!tableName)
    throw new InvalidInput(
      'which state table? give --stage <stage> (table switchyard-<stage>-state) or --state-table <name> (or SWITCHYARD_STAGE / SWITCHYARD_STATE_TABLE)',
    );
  return new DynamoStateTable({ client: clients.dynamodb, tableName });
}

/** The deployed state machines of the stage (all `*-<Workflow>` ones when no stage is given). */
export async function stateMachinesFor(flags: TargetFlags, clients: OpsClients, env: NodeJS.ProcessEnv = opsIo.env): Promise<StateMachineArns> {
  const stage = stageOf(flags, env);
  return findStateMachines(clients.sfn, stage ? stagePrefix(stage) : undefined);
}

export async function stateMachineFor(workflow: WorkflowName, flags: TargetFlags, clients: OpsClients, env: NodeJS.ProcessEnv = opsIo.env): Promise<string> {
  const arns = await stateMachinesFor(flags, clients, env);
  const arn = arns[workflow];
  if (!arn) {
    const stage = stageOf(flags, env);
    throw new InvalidInput(
      `no ${workflow} state machine found${stage ? ` named ${stateMachineName(stage, workflow)}` : ''} at ${flags.endpointUrl ?? env.AWS_ENDPOINT_URL ?? 'AWS'} (deploy first, or check --stage / --endpoint-url)`,
    );
  }
  return arn;
}
