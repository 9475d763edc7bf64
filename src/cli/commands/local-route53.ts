// `switchyard local route53`: the local Route 53 alone, on loopback, for anyone
// testing Route 53 code (AWS SDKs, the AWS CLI, boto3) without an AWS account.
import type { Command } from 'commander';
import { InvalidInput } from '../../core/errors.ts';
import { exposureWarning } from '@switchyard/local-aws';
import { createRoute53Service, serveLocalService, type InjectedError, type Route53Faults } from '@switchyard/local-aws/route53';
import { EXIT } from '../exit-codes.ts';

export const DEFAULT_LOCAL_PORT = 4566;

export interface LocalRoute53Options {
  port?: string;
  host?: string;
  state?: string;
  insyncDelay?: string;
  healthTimeScale?: string;
  failRate?: string;
  failWith?: string;
  rateLimit?: boolean;
}

export interface LocalRoute53Io {
  out(text: string): void;
  /** Where a request the service failed on is reported (default: stderr). */
  log?: (line: string) => void;
  /** Stops the server (tests); by default SIGINT or SIGTERM. */
  stop?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

function number(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidInput(`--${flag} must be a number from ${min} to ${max}, not "${text}"`, { flag, value: text });
  }
  return value;
}

function faultsFrom(options: LocalRoute53Options): Route53Faults {
  const faults: Route53Faults = {};
  if (options.failRate !== undefined) faults.failureRate = number('fail-rate', options.failRate, 0, 1);
  if (options.failWith !== undefined) {
    const errors = options.failWith.split(',').map((e) => e.trim());
    const unknown = errors.filter((e) => e !== 'Throttling' && e !== 'PriorRequestNotComplete');
    if (unknown.length > 0) {
      throw new InvalidInput(`--fail-with takes Throttling and/or PriorRequestNotComplete, not ${unknown.join(', ')}`, { flag: 'fail-with', unknown });
    }
    faults.errors = errors as InjectedError[];
  }
  if (options.rateLimit === true) faults.rateLimit = true;
  return faults;
}

/** Serves until stopped; returns the exit code. */
export async function runLocalRoute53(options: LocalRoute53Options, io: LocalRoute53Io): Promise<number> {
  const env = io.env ?? process.env;
  const port = number('port', options.port ?? env.SWITCHYARD_PORT ?? String(DEFAULT_LOCAL_PORT), 0, 65535);
  const service = createRoute53Service({
    ...(options.state === undefined ? {} : { statePath: options.state }),
    ...(options.insyncDelay === undefined ? {} : { insyncDelayMs: number('insync-delay', options.insyncDelay, 0, 3_600_000) }),
    ...(options.healthTimeScale === undefined ? {} : { healthCheckTimeScale: number('health-time-scale', options.healthTimeScale, 0.0001, 1000) }),
    faults: faultsFrom(options),
  });
  let server;
  try {
    server = await serveLocalService(service, { port, host: options.host ?? '127.0.0.1', log: io.log ?? ((line) => process.stderr.write(`${line}\n`)) });
  } catch (error) {
    await service.close();
    throw error;
  }
  io.out(`Route 53 (API 2013-04-01) on ${server.url}${options.state === undefined ? ' (in memory)' : ` (state: ${options.state})`}`);
  io.out(`  aws --endpoint-url ${server.url} route53 list-hosted-zones`);
  const exposure = exposureWarning(options.host ?? '127.0.0.1', server.url);
  if (exposure !== undefined) io.out(exposure);
  await new Promise<void>((resolve) => {
    if (io.stop !== undefined) {
      if (io.stop.aborted) resolve();
      io.stop.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  await service.close();
  return EXIT.ok;
}

export function registerLocalRoute53(local: Command): void {
  local
    .command('route53')
    .description('serve the local Route 53 API (REST-XML, 2013-04-01) alone on loopback')
    .option('--port <port>', `port to listen on (default: $SWITCHYARD_PORT or ${DEFAULT_LOCAL_PORT}; 0 picks a free one)`)
    .option('--host <address>', 'address to listen on; anything but loopback exposes the API to the network', '127.0.0.1')
    .option('--state <file>', 'JSON file that keeps zones, records and health checks across restarts (default: memory only)')
    .option('--insync-delay <ms>', 'how long a change stays PENDING before INSYNC', '1000')
    .option('--health-time-scale <factor>', 'multiply health-check intervals (0.1: a 10 s interval becomes 1 s)')
    .option('--fail-rate <share>', 'refuse this share (0 to 1) of requests with an injected error')
    .option('--fail-with <errors>', 'injected errors: Throttling,PriorRequestNotComplete')
    .option('--rate-limit', "enforce Route 53's long-documented 5 requests per second (Throttling beyond)")
    .action(async (options: LocalRoute53Options) => {
      process.exitCode = await runLocalRoute53(options, { out: (text) => console.log(text) });
    });
}
