// The narrow Route 53 client: only the calls Switchyard makes, with SDK v3 types
// mapped to and from the plain model (src/core/model.ts). Every request goes
// through one token bucket (≤ 5 requests/second) and retries throttling with
// backoff; SDK exceptions become the named errors of src/core/errors.ts.
// Dry-run is checked right before each write is sent, as external-dns does.
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  UpdateHealthCheckCommand,
  type Route53ClientConfig,
  type HealthCheck as SdkHealthCheck,
  type HealthCheckConfig,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type RRType,
} from '@aws-sdk/client-route-53';
import { Route53Rejected, errorMessage } from '../core/errors.ts';
import { normalizeName, toRoute53Name } from '../core/dns-names.ts';
import { describeTarget, healthCheckConfigFor, type Tag } from '../core/health-spec.ts';
import { METRIC_CHECK_FAILURE_THRESHOLD, METRIC_CHECK_INTERVAL_SECONDS } from '../core/upstream.ts';
import type { Change, FailoverRole, HealthCheckSpec, HealthProtocol, HostedZone, RecordSet } from '../core/model.ts';
import type { ChangeStatus, ChangeSubmitted, HealthCheckRecord, HealthStatusReader, Route53Port } from '../core/ports.ts';
import type { PageStart as ReadStart, ReadPage } from '../core/verify.ts';
import { route53Limiter, type RateLimiter, withRetry, type RetryOptions } from './retry.ts';

/** Route 53's change API is global and served from us-east-1. */
export const ROUTE53_REGION = 'us-east-1';

export interface Route53AdapterOptions {
  client: Route53Client;
  /** Every request waits its turn here; defaults to the process's one Route 53 bucket (route53Limiter). */
  limiter?: RateLimiter;
  retry?: RetryOptions;
  /** Log and skip every write right before it would be sent. */
  dryRun?: boolean;
  /** Told about each write skipped by dry-run. */
  onDryRun?: (operation: string, detail: string) => void;
}

export interface CreateClientOptions {
  /** e.g. http://127.0.0.1:4566; without it the SDK's own resolution applies (incl. AWS_ENDPOINT_URL). */
  endpointUrl?: string;
}

/**
 * An SDK client for Route 53 with the SDK's own retries off: our retry layer
 * owns them so every attempt passes the shared rate limiter. Against a loopback
 * endpoint with no credentials configured, it uses placeholder credentials (the
 * local emulator does not check them) instead of failing in the credential chain.
 * `transport` is for a client in the local endpoint's own process (its request handler and
 * signer, docs/local-platform.md).
 */
export function createRoute53Client(
  options: CreateClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  transport: Pick<Route53ClientConfig, 'requestHandler' | 'signer'> = {},
): Route53Client {
  return new Route53Client({ region: ROUTE53_REGION, maxAttempts: 1, ...loopbackConfig(options.endpointUrl, env, 'ROUTE_53'), ...transport });
}

/**
 * Client settings for an optional endpoint: the endpoint itself, and placeholder
 * credentials when it (or AWS_ENDPOINT_URL[_<SERVICE>]) is a loopback address and no
 * credentials are configured — the local services do not check them, and the default
 * chain would otherwise fail before sending anything.
 */
export function loopbackConfig(
  endpointUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  service?: string,
): { endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } {
  const loopback = targetsLoopback(endpointUrl, env, service);
  const hasCredentials = Boolean(
    env.AWS_ACCESS_KEY_ID ||
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );
  return {
    ...(endpointUrl === undefined ? {} : { endpoint: endpointUrl }),
    ...(loopback && !hasCredentials ? { credentials: { accessKeyId: 'switchyard-local', secretAccessKey: 'switchyard-local' } } : {}),
  };
}

/**
 * The region setting for a regional client: the flag when given, else the SDK's own chain
 * (AWS_REGION, then the profile's `region` in the AWS config files), which must not be
 * overridden by a fallback. AWS_DEFAULT_REGION (the AWS CLI's name) counts when AWS_REGION is
 * unset. Only a loopback endpoint with no region configured anywhere gets us-east-1: the
 * local services serve every region and the chain would otherwise fail before sending.
 */
export function regionConfig(
  flagRegion: string | undefined,
  endpointUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  service?: string,
): { region?: string } {
  if (flagRegion !== undefined) return { region: flagRegion };
  if (env.AWS_REGION) return {};
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION };
  return targetsLoopback(endpointUrl, env, service) && !env.AWS_PROFILE ? { region: ROUTE53_REGION } : {};
}

/** True when the client will talk to this machine: the flag, else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL. */
function targetsLoopback(endpointUrl: string | undefined, env: NodeJS.ProcessEnv, service: string | undefined): boolean {
  return isLoopback(endpointUrl ?? (service ? env[`AWS_ENDPOINT_URL_${service}`] : undefined) ?? env.AWS_ENDPOINT_URL);
}

/** True when `url` is an http(s) URL on this machine (the local runtime). */
export function isLoopback(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

interface PageStart {
  name?: string;
  type?: RRType;
  identifier?: string;
}

export class Route53Adapter implements Route53Port, HealthStatusReader {
  readonly #client: Route53Client;
  readonly #limiter: RateLimiter;
  readonly #retry: RetryOptions;
  readonly #dryRun: boolean;
  readonly #onDryRun: ((operation: string, detail: string) => void) | undefined;
  /** Requests sent (every attempt), for reports and the benchmark. */
  requests = 0;

  constructor(options: Route53AdapterOptions) {
    this.#client = options.client;
    this.#limiter = options.limiter ?? route53Limiter(options.retry?.clock);
    this.#retry = options.retry ?? {};
    this.#dryRun = options.dryRun ?? false;
    this.#onDryRun = options.onDryRun;
  }

  get dryRun(): boolean {
    return this.#dryRun;
  }

  async #send<T>(operation: string, send: (client: Route53Client) => Promise<T>): Promise<T> {
    return withRetry(
      `Route 53 ${operation}`,
      async () => {
        await this.#limiter.take();
        this.requests++;
        return send(this.#client);
      },
      this.#retry,
    );
  }

  async listHostedZones(): Promise<HostedZone[]> {
    const zones: HostedZone[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#send('ListHostedZones', (c) => c.send(new ListHostedZonesCommand({ Marker: marker, MaxItems: 100 })));
      for (const zone of page.HostedZones ?? []) {
        zones.push({
          id: stripPrefix(zone.Id ?? '', '/hostedzone/'),
          name: normalizeName(zone.Name ?? ''),
          private: zone.Config?.PrivateZone ?? false,
          ...(zone.ResourceRecordSetCount === undefined ? {} : { recordSets: zone.ResourceRecordSetCount }),
        });
      }
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return zones;
  }

  async listRecordSets(zoneId: string): Promise<RecordSet[]> {
    const records: RecordSet[] = [];
    let start: PageStart | undefined = {};
    while (start) {
      const from: PageStart = start;
      const page: ListResourceRecordSetsCommandOutput = await this.#send('ListResourceRecordSets', (c) =>
        c.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            StartRecordName: from.name,
            StartRecordType: from.type,
            StartRecordIdentifier: from.identifier,
            MaxItems: 300,
          }),
        ),
      );
      for (const set of page.ResourceRecordSets ?? []) records.push(fromResourceRecordSet(set));
      start = page.IsTruncated ? { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier } : undefined;
    }
    return records;
  }

  async listRecordSetsPage(zoneId: string, start: ReadStart): Promise<ReadPage> {
    const page = await this.#send('ListResourceRecordSets', (c) =>
      c.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: start.name,
          StartRecordType: start.type as RRType | undefined,
          StartRecordIdentifier: start.identifier,
          MaxItems: 300,
        }),
      ),
    );
    const records = (page.ResourceRecordSets ?? []).map(fromResourceRecordSet);
    if (!page.IsTruncated || page.NextRecordName === undefined) return { records };
    const next: ReadStart = { name: page.NextRecordName };
    if (page.NextRecordType !== undefined) next.type = page.NextRecordType;
    if (page.NextRecordIdentifier !== undefined) next.identifier = page.NextRecordIdentifier;
    return { records, next };
  }

  async changeRecordSets(zoneId: string, changes: readonly Change[], comment?: string): Promise<ChangeSubmitted> {
    if (this.#dryRun) {
      this.#onDryRun?.('ChangeResourceRecordSets', `${zoneId}: ${changes.length} change(s)`);
      return { dryRun: true };
    }
    try {
      const out = await this.#send('ChangeResourceRecordSets', (c) =>
        c.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: {
              Comment: comment,
              Changes: changes.map((change) => ({ Action: change.action, ResourceRecordSet: toResourceRecordSet(change.recordSet) })),
            },
          }),
        ),
      );
      return { dryRun: false, changeId: stripPrefix(out.ChangeInfo?.Id ?? '', '/change/'), status: changeStatus(out.ChangeInfo?.Status) };
    } catch (error) {
      throw asRejection(error, 'ChangeResourceRecordSets', { zoneId, changes: changes.length });
    }
  }

  async getChangeStatus(changeId: string): Promise<ChangeStatus> {
    const out = await this.#send('GetChange', (c) => c.send(new GetChangeCommand({ Id: changeId })));
    return changeStatus(out.ChangeInfo?.Status);
  }

  /** The latest observation of each Route 53 checker ("Success: ..." / "Failure: ..."). */
  async getHealthCheckStatus(id: string): Promise<string[]> {
    try {
      const out = await this.#send('GetHealthCheckStatus', (c) => c.send(new GetHealthCheckStatusCommand({ HealthCheckId: id })));
      return (out.HealthCheckObservations ?? []).map((o) => o.StatusReport?.Status ?? '');
    } catch (error) {
      throw asRejection(error, 'GetHealthCheckStatus', { healthCheckId: id });
    }
  }

  async listHealthChecks(): Promise<HealthCheckRecord[]> {
    const checks: HealthCheckRecord[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#send('ListHealthChecks', (c) => c.send(new ListHealthChecksCommand({ Marker: marker, MaxItems: 1000 })));
      for (const check of page.HealthChecks ?? []) checks.push(fromSdkHealthCheck(check));
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return checks;
  }

  async listHealthCheckTags(ids: readonly string[]): Promise<Map<string, Tag[]>> {
    const tags = new Map<string, Tag[]>();
    // ListTagsForResources takes at most 10 ids per request.
    for (let i = 0; i < ids.length; i += 10) {
      const chunk = ids.slice(i, i + 10);
      const out = await this.#send('ListTagsForResources', (c) => c.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: chunk })));
      for (const set of out.ResourceTagSets ?? []) {
        if (!set.ResourceId) continue;
        tags.set(
          set.ResourceId,
          (set.Tags ?? []).map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' })),
        );
      }
    }
    for (const id of ids) if (!tags.has(id)) tags.set(id, []);
    return tags;
  }

  async createHealthCheck(callerReference: string, spec: HealthCheckSpec): Promise<HealthCheckRecord> {
    if (this.#dryRun) {
      this.#onDryRun?.('CreateHealthCheck', describeTarget(spec));
      return { id: `dry-run:${callerReference}`, callerReference, version: 1, spec };
    }
    try {
      const out = await this.#send('CreateHealthCheck', (c) =>
        // healthCheckConfigFor's alarm region is a region name, as CloudWatchRegion's values are.
        c.send(new CreateHealthCheckCommand({ CallerReference: callerReference, HealthCheckConfig: healthCheckConfigFor(spec) as HealthCheckConfig })),
      );
      if (!out.HealthCheck) throw new Error('CreateHealthCheck returned no health check');
      return fromSdkHealthCheck(out.HealthCheck);
    } catch (error) {
      throw asRejection(error, 'CreateHealthCheck', { callerReference, fqdn: spec.fqdn });
    }
  }

  async updateHealthCheck(id: string, version: number, spec: HealthCheckSpec): Promise<HealthCheckRecord> {
    if (this.#dryRun) {
      this.#onDryRun?.('UpdateHealthCheck', `${id}: ${describeTarget(spec)}`);
      return { id, callerReference: '', version, spec };
    }
    const config = healthCheckConfigFor(spec);
    try {
      const out = await this.#send('UpdateHealthCheck', (c) =>
        c.send(
          new UpdateHealthCheckCommand(
            config.Type === 'CLOUDWATCH_METRIC'
              ? {
                  HealthCheckId: id,
                  HealthCheckVersion: version,
                  AlarmIdentifier: config.AlarmIdentifier as HealthCheckConfig['AlarmIdentifier'],
                  InsufficientDataHealthStatus: config.InsufficientDataHealthStatus,
                }
              : {
                  HealthCheckId: id,
                  HealthCheckVersion: version,
                  FullyQualifiedDomainName: config.FullyQualifiedDomainName,
                  Port: config.Port,
                  FailureThreshold: config.FailureThreshold,
                  EnableSNI: config.EnableSNI,
                  // A TCP check has no path: reset it rather than leave the old one.
                  ...(config.ResourcePath === undefined ? { ResetElements: ['ResourcePath'] } : { ResourcePath: config.ResourcePath }),
                },
          ),
        ),
      );
      if (!out.HealthCheck) throw new Error('UpdateHealthCheck returned no health check');
      return fromSdkHealthCheck(out.HealthCheck);
    } catch (error) {
      throw asRejection(error, 'UpdateHealthCheck', { healthCheckId: id });
    }
  }

  async tagHealthCheck(id: string, tags: readonly Tag[]): Promise<void> {
    if (this.#dryRun) {
      this.#onDryRun?.('ChangeTagsForResource', `${id}: ${tags.map((tag) => tag.Key).join(', ')}`);
      return;
    }
    await this.#send('ChangeTagsForResource', (c) =>
      c.send(
        new ChangeTagsForResourceCommand({
          ResourceType: 'healthcheck',
          ResourceId: id,
          AddTags: tags.map((tag) => ({ Key: tag.Key, Value: tag.Value })),
        }),
      ),
    );
  }

  async deleteHealthCheck(id: string): Promise<void> {
    if (this.#dryRun) {
      this.#onDryRun?.('DeleteHealthCheck', id);
      return;
    }
    try {
      await this.#send('DeleteHealthCheck', (c) => c.send(new DeleteHealthCheckCommand({ HealthCheckId: id })));
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchHealthCheck') return;
      throw asRejection(error, 'DeleteHealthCheck', { healthCheckId: id });
    }
  }
}

/** Route 53's answers that mean "this request is wrong", carrying its own messages. */
const REJECTIONS = new Set([
  'InvalidChangeBatch',
  'InvalidInput',
  'NoSuchHostedZone',
  'NoSuchHealthCheck',
  'HealthCheckAlreadyExists',
  'HealthCheckInUse',
  'HealthCheckVersionMismatch',
  'TooManyHealthChecks',
]);

/** Maps a rejection to Route53Rejected (messages: Route 53's own); anything else passes through. */
export function asRejection(error: unknown, operation: string, context: Record<string, unknown>): unknown {
  const name = (error as { name?: string } | null)?.name;
  if (name === undefined || !REJECTIONS.has(name)) return error;
  const messages = rejectionMessages(error);
  return new Route53Rejected(`${operation} rejected (${name}): ${messages.join('; ')}`, { ...context, operation, awsError: name, messages }, error);
}

/** Route 53's own messages: InvalidChangeBatch lists one per bad change. */
export function rejectionMessages(error: unknown): string[] {
  const listed = (error as { messages?: unknown }).messages;
  if (Array.isArray(listed) && listed.length > 0) return listed.map(String);
  return [errorMessage(error)];
}

function changeStatus(status: string | undefined): ChangeStatus {
  return status === 'INSYNC' ? 'INSYNC' : 'PENDING';
}

function stripPrefix(id: string, prefix: string): string {
  return id.startsWith(prefix) ? id.slice(prefix.length) : id;
}

export function fromResourceRecordSet(set: ResourceRecordSet): RecordSet {
  const record: RecordSet = { name: normalizeName(set.Name ?? ''), type: set.Type ?? '' };
  if (set.SetIdentifier !== undefined) record.setIdentifier = set.SetIdentifier;
  if (set.Weight !== undefined) record.weight = set.Weight;
  if (set.Failover !== undefined) record.failover = set.Failover as FailoverRole;
  if (set.Region !== undefined) record.region = set.Region;
  if (set.AliasTarget) {
    record.aliasTarget = {
      hostedZoneId: set.AliasTarget.HostedZoneId ?? '',
      dnsName: normalizeName(set.AliasTarget.DNSName ?? ''),
      evaluateTargetHealth: set.AliasTarget.EvaluateTargetHealth ?? false,
    };
  } else {
    if (set.TTL !== undefined) record.ttl = set.TTL;
    record.values = (set.ResourceRecords ?? []).map((r) => r.Value ?? '');
  }
  if (set.HealthCheckId !== undefined) record.healthCheckId = set.HealthCheckId;
  return record;
}

export function toResourceRecordSet(record: RecordSet): ResourceRecordSet {
  const set: ResourceRecordSet = { Name: toRoute53Name(record.name), Type: record.type as RRType };
  if (record.setIdentifier !== undefined) set.SetIdentifier = record.setIdentifier;
  if (record.weight !== undefined) set.Weight = record.weight;
  if (record.failover !== undefined) set.Failover = record.failover;
  if (record.region !== undefined) set.Region = record.region as ResourceRecordSet['Region'];
  if (record.aliasTarget) {
    set.AliasTarget = {
      HostedZoneId: record.aliasTarget.hostedZoneId,
      DNSName: record.aliasTarget.dnsName,
      EvaluateTargetHealth: record.aliasTarget.evaluateTargetHealth,
    };
  } else {
    set.TTL = record.ttl;
    set.ResourceRecords = (record.values ?? []).map((Value) => ({ Value }));
  }
  if (record.healthCheckId !== undefined) set.HealthCheckId = record.healthCheckId;
  return set;
}

const SPEC_TYPES = new Set<string>(['HTTP', 'HTTPS', 'TCP']);

export function fromHealthCheckConfig(config: HealthCheckConfig | undefined): HealthCheckSpec | undefined {
  if (config?.Type === 'CLOUDWATCH_METRIC') {
    const alarm = config.AlarmIdentifier;
    // Switchyard's metric checks say Unhealthy without data (health-spec.ts); another setting is not ours to match.
    if (alarm?.Region === undefined || alarm.Name === undefined || config.InsufficientDataHealthStatus !== 'Unhealthy') return undefined;
    return {
      protocol: 'CLOUDWATCH_METRIC',
      fqdn: '',
      port: 0,
      intervalSeconds: METRIC_CHECK_INTERVAL_SECONDS,
      failureThreshold: METRIC_CHECK_FAILURE_THRESHOLD,
      alarm: { region: alarm.Region, name: alarm.Name },
    };
  }
  if (!config?.Type || !SPEC_TYPES.has(config.Type) || !config.FullyQualifiedDomainName) return undefined;
  const spec: HealthCheckSpec = {
    protocol: config.Type as HealthProtocol,
    fqdn: config.FullyQualifiedDomainName.toLowerCase().replace(/\.$/, ''),
    port: config.Port ?? (config.Type === 'HTTPS' ? 443 : 80),
    intervalSeconds: config.RequestInterval ?? 30,
    failureThreshold: config.FailureThreshold ?? 3,
  };
  if (config.Type !== 'TCP') spec.path = config.ResourcePath ?? '/';
  return spec;
}

function fromSdkHealthCheck(check: SdkHealthCheck): HealthCheckRecord {
  const record: HealthCheckRecord = { id: check.Id ?? '', callerReference: check.CallerReference ?? '', version: check.HealthCheckVersion ?? 1 };
  const spec = fromHealthCheckConfig(check.HealthCheckConfig);
  if (spec) record.spec = spec;
  return record;
}
