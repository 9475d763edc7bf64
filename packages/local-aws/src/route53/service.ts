// The local Route 53: the REST-XML API (2013-04-01) served as a LocalService, so the
// full runtime can mount it on the shared endpoint and `switchyard local route53`
// can serve it alone. Rules live in rules.ts, health-rules.ts, listing.ts and
// zones.ts; this file reads requests, keeps the account's state and answers.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { LocalRequest, LocalResponse, LocalService } from '../http.ts';
import {
  hostedZoneAlreadyExists,
  hostedZoneNotEmpty,
  healthCheckAlreadyExists,
  healthCheckVersionMismatch,
  invalidInput,
  noSuchChange,
  noSuchDelegationSet,
  noSuchHealthCheck,
  noSuchHostedZone,
  malformedPath,
  Route53Error,
  unknownOperation,
  validationError,
  enumerationError,
} from './errors.ts';
import { FaultInjector, type Route53Faults } from './faults.ts';
import { HealthChecker, type AlarmStateLookup, type HealthCheckStatusChange, type ResolveTarget } from './health-checker.ts';
import { parseHealthCheckConfig, sameHealthCheckConfig, updateHealthCheckConfig } from './health-rules.ts';
import { pageById, pageZonesByName, pageZoneRecords, parseMaxItems } from './listing.ts';
import { RR_TYPES, type ChangeRecord, type HealthCheck, type HealthCheckConfig, type HostedZone } from './model.ts';
import { readChanges, readHealthCheckConfig } from './requests.ts';
import { parseInteger, planChangeBatch } from './rules.ts';
import { Route53Store, type Route53Operation } from './store.ts';
import { canonicalName, resolve as resolveQuery, type Query, type Resolution, type ResolverWorld } from './resolver.ts';
import { regionOfAddress } from './region-latency.ts';
import {
  document,
  errorDocument,
  leaf,
  node,
  parseRequest,
  renderChangeInfo,
  renderDelegationSet,
  renderHealthCheck,
  renderHostedZone,
  renderRecordSet,
  renderTagSet,
  renderVpcs,
  textOf,
  textsOf,
  childOf,
  listOf,
  type XmlObject,
} from './xml.ts';
import { apexRecords, checkZoneVpc, holdsOnlyApexRecords, nameServersFrom, zoneNameFrom } from './zones.ts';

export const API_PREFIX = '/2013-04-01/';

export interface Route53ServiceOptions {
  /** File the account is kept in (a snapshot, with its change log in `<statePath>.log`); it survives restarts. Omit for memory only. */
  statePath?: string;
  /** Compact the change log into the snapshot once it holds this many bytes (default 4 MiB). */
  compactAfterBytes?: number;
  /** Record sets per chunk file of a large zone (default 2,048); and the most a zone keeps in the snapshot file itself (default 100). */
  recordsPerChunk?: number;
  inlineRecords?: number;
  /** How long a change stays PENDING before GetChange reports INSYNC (default 1000 ms). */
  insyncDelayMs?: number;
  /** Multiplies health-check intervals: 0.01 turns a 10 s RequestInterval into 100 ms (default 1). */
  healthCheckTimeScale?: number;
  /** Time one probe may take, connect and response (default 6 s scaled, at least 500 ms). */
  probeTimeoutMs?: number;
  /** Maps a health check's target (FQDN or IP, port) to where to connect; default: as given (DNS). */
  resolveTarget?: ResolveTarget;
  /** State of a local CloudWatch alarm, for CLOUDWATCH_METRIC checks. */
  alarmState?: AlarmStateLookup;
  /** Injected failures and the 5 requests/second limit. */
  faults?: Route53Faults;
  /** Addresses and health of alias targets outside the zones (load balancers), for DNS answers. */
  externalTarget?: ResolverWorld['external'];
  /** Chance for weighted and multivalue answers (default Math.random). */
  random?: () => number;
}

export interface Route53Service extends LocalService {
  /** Calls `listener` whenever a health check's status changes; returns the unsubscribe function. */
  onHealthCheckStatusChange(listener: (change: HealthCheckStatusChange) => void): () => void;
  /** What a health check reports now; undefined when it does not exist. */
  healthCheckStatus(id: string): boolean | undefined;
  /**
   * The alias target (DNS name) of the simple A record at `name` in a public zone, as a
   * resolver would follow it; undefined when there is none. What the local runtime uses
   * to send a health check aimed at a name Switchyard publishes (a per-app health name)
   * to the simulated load balancer that name points at.
   */
  aliasTargetOf(name: string): string | undefined;
  /** Replaces the injected failures (for example, to stop throttling mid-test). */
  setFaults(faults: Route53Faults): void;
  /** What Route 53's name servers answer for this query now (the DNS server and TestDNSAnswer). */
  resolve(query: Query): Resolution;
  close(): Promise<void>;
}

type Handler = (req: LocalRequest, params: string[]) => LocalResponse | Promise<LocalResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  /** Requests that change a hosted zone may be refused with PriorRequestNotComplete. */
  changesZone: boolean;
  handler: Handler;
}

export function createRoute53Service(options: Route53ServiceOptions = {}): Route53Service {
  const store = Route53Store.open(
    options.statePath,
    dropUndefined({ compactAfterBytes: options.compactAfterBytes, chunkSize: options.recordsPerChunk, inlineRecords: options.inlineRecords }),
  );
  const state = store.state;
  const insyncDelayMs = options.insyncDelayMs ?? 1000;
  const timeScale = options.healthCheckTimeScale ?? 1;
  const faults = new FaultInjector(options.faults ?? {});
  const checker = new HealthChecker({
    timeScale,
    probeTimeoutMs: options.probeTimeoutMs ?? Math.max(500, Math.round(6000 * timeScale)),
    resolveTarget: options.resolveTarget ?? ((host, port) => ({ host, port })),
    ...(options.alarmState === undefined ? {} : { alarmState: options.alarmState }),
    remember: (id, healthy) => {
      if (state.healthChecks.some((c) => c.id === id)) store.commit([{ op: 'lastHealthy', id, healthy }]).catch(() => undefined);
    },
  });
  for (const check of state.healthChecks) checker.track(check);

  /** Applies the operations and resolves once they are on disk; `change` adds a change record. */
  const commit = (operations: Route53Operation[]) => store.commit(operations);

  // -------------------------------------------------------------------------
  // Lookups and small helpers.

  const zoneOf = (id: string): HostedZone => {
    const bare = id.replace(/^\/?hostedzone\//, '');
    const zone = state.zones.find((z) => z.id === bare);
    if (zone === undefined) throw noSuchHostedZone(bare);
    return zone;
  };
  const healthCheckOf = (id: string): HealthCheck => {
    const check = state.healthChecks.find((c) => c.id === id);
    if (check === undefined) throw noSuchHealthCheck(id);
    return check;
  };
  /** A new change record, for the operation that stores it. */
  const newChange = (comment?: string): ChangeRecord => {
    const change: ChangeRecord = { id: `C${randomId(20)}`, submittedAt: new Date().toISOString() };
    if (comment !== undefined) change.comment = comment;
    return change;
  };
  const statusOf = (change: ChangeRecord): 'PENDING' | 'INSYNC' => (Date.now() - Date.parse(change.submittedAt) >= insyncDelayMs ? 'INSYNC' : 'PENDING');
  const body = (root: XmlObject | Route53Error): XmlObject => {
    if (root instanceof Route53Error) throw root;
    return root;
  };
  const required = (value: string | undefined, path: string): string => {
    if (value === undefined) throw validationError('null', path, 'Member must not be null');
    return value;
  };
  const ok = (xml: string, status = 200, headers: Record<string, string> = {}): LocalResponse => ({
    status,
    headers: { 'content-type': 'text/xml', ...headers },
    body: xml,
  });
  const location = (req: LocalRequest, path: string): string => `${req.url.protocol}//${req.headers.host ?? req.url.host}${API_PREFIX}${path}`;
  // The count from the zone's index: listing zones reads no record chunk.
  const zoneXml = (zone: HostedZone) => renderHostedZone(zone, store.index(zone.id).size);
  /** ListHostedZones and ListHealthChecks: a page by id, with Marker and NextMarker. */
  const markerPage = <T extends { id: string }>(
    rootName: string,
    listName: string,
    render: (item: T) => string,
    items: readonly T[],
    marker: string | null,
    maxItems: number,
  ) => {
    const page = pageById(items, marker, maxItems);
    return ok(
      document(
        rootName,
        node(listName, ...page.items.map(render)),
        leaf('Marker', marker ?? ''),
        leaf('IsTruncated', page.isTruncated),
        leaf('NextMarker', page.nextMarker),
        leaf('MaxItems', page.maxItems),
      ),
    );
  };

  // -------------------------------------------------------------------------
  // Hosted zones.

  const createHostedZone: Handler = async (req) => {
    const root = body(parseRequest(req.body, 'CreateHostedZoneRequest'));
    const rawName = required(textOf(root, 'Name'), 'name');
    const callerReference = required(textOf(root, 'CallerReference'), 'callerReference');
    if (callerReference.length > 128) throw validationError(callerReference, 'callerReference', 'Member must have length less than or equal to 128');
    const config = childOf(root, 'HostedZoneConfig');
    const comment = textOf(config, 'Comment');
    if (comment !== undefined && comment.length > 256)
      throw validationError(comment, 'hostedZoneConfig.comment', 'Member must have length less than or equal to 256');
    const privateText = textOf(config, 'PrivateZone');
    const vpcNode = childOf(root, 'VPC');
    const vpc = vpcNode === undefined ? undefined : dropUndefined({ vpcRegion: textOf(vpcNode, 'VPCRegion'), vpcId: textOf(vpcNode, 'VPCId') });
    const vpcProblem = checkZoneVpc(privateText === 'true', vpc);
    if (vpcProblem !== undefined) throw vpcProblem;
    const name = zoneNameFrom(rawName);
    if (name instanceof Route53Error) throw name;
    const delegationSetId = textOf(root, 'DelegationSetId');
    if (delegationSetId !== undefined) throw noSuchDelegationSet(delegationSetId);
    if (state.zoneCallerReferences.includes(callerReference)) throw hostedZoneAlreadyExists();

    const id = `Z${randomId(20)}`;
    const nameServers = nameServersFrom([0, 1, 2, 3].map(() => randomInt(512)));
    const zone: HostedZone = {
      id,
      name,
      callerReference,
      privateZone: vpc !== undefined,
      vpcs: vpc === undefined ? [] : [vpc],
      nameServers,
      records: apexRecords(name, nameServers),
    };
    if (comment !== undefined) zone.comment = comment;
    const change = newChange();
    await commit([
      { op: 'zone', zone },
      { op: 'zoneReference', reference: callerReference },
      { op: 'change', change },
    ]);
    return ok(
      document(
        'CreateHostedZoneResponse',
        zoneXml(zone),
        renderChangeInfo(change.id, 'PENDING', change.submittedAt),
        renderDelegationSet(zone),
        renderVpcs(zone, undefined),
      ),
      201,
      { location: location(req, `hostedzone/${id}`) },
    );
  };

  const getHostedZone: Handler = (_req, [id]) => {
    const zone = zoneOf(id!);
    return ok(document('GetHostedZoneResponse', zoneXml(zone), renderDelegationSet(zone), renderVpcs(zone, 'VPCs')));
  };

  const listHostedZones: Handler = (req) => {
    const query = req.url.searchParams;
    const maxItems = parseMaxItems(query.get('maxitems'), 100, 100);
    if (maxItems instanceof Route53Error) throw maxItems;
    const delegationSetId = query.get('delegationsetid');
    if (delegationSetId !== null) throw noSuchDelegationSet(delegationSetId);
    const type = query.get('hostedzonetype');
    if (type !== null && type !== 'PrivateHostedZone') throw enumerationError(type, ['PrivateHostedZone']);
    const zones = type === null ? state.zones : state.zones.filter((z) => z.privateZone);
    return markerPage('ListHostedZonesResponse', 'HostedZones', zoneXml, zones, query.get('marker'), maxItems);
  };

  const listHostedZonesByName: Handler = (req) => {
    const query = req.url.searchParams;
    const maxItems = parseMaxItems(query.get('maxitems'), 100, 100);
    if (maxItems instanceof Route53Error) throw maxItems;
    const dnsName = query.get('dnsname');
    const hostedZoneId = query.get('hostedzoneid')?.replace(/^\/?hostedzone\//, '') ?? null;
    const page = pageZonesByName(state.zones, dnsName, hostedZoneId, maxItems);
    if (page instanceof Route53Error) throw page;
    return ok(
      document(
        'ListHostedZonesByNameResponse',
        node('HostedZones', ...page.items.map(zoneXml)),
        leaf('DNSName', dnsName ?? undefined),
        leaf('HostedZoneId', hostedZoneId ?? undefined),
        leaf('IsTruncated', page.isTruncated),
        leaf('NextDNSName', page.next?.dnsName),
        leaf('NextHostedZoneId', page.next?.hostedZoneId),
        leaf('MaxItems', page.maxItems),
      ),
    );
  };

  const deleteHostedZone: Handler = async (_req, [id]) => {
    const zone = zoneOf(id!);
    if (store.index(zone.id).size > 2 || !holdsOnlyApexRecords(zone)) throw hostedZoneNotEmpty();
    const change = newChange();
    await commit([
      { op: 'deleteZone', zoneId: zone.id },
      { op: 'change', change },
    ]);
    return ok(document('DeleteHostedZoneResponse', renderChangeInfo(change.id, 'PENDING', change.submittedAt)));
  };

  // -------------------------------------------------------------------------
  // DNS answers (resolver.ts): the local DNS server and TestDNSAnswer.

  const world = (zones: readonly HostedZone[]): ResolverWorld => ({
    zones,
    healthy: (id) => checker.isHealthy(id) ?? true,
    external: options.externalTarget ?? (() => undefined),
    random: options.random ?? Math.random,
  });
  const resolve = (query: Query): Resolution => resolveQuery(world(state.zones), query);

  const testDnsAnswer: Handler = (req) => {
    const query = req.url.searchParams;
    const zoneId = query.get('hostedzoneid');
    const recordName = query.get('recordname');
    const recordType = query.get('recordtype');
    if (!zoneId) throw validationError('null', 'hostedZoneId', 'Member must not be null');
    if (!recordName) throw validationError('null', 'recordName', 'Member must not be null');
    if (!recordType) throw validationError('null', 'recordType', 'Member must not be null');
    if (!(RR_TYPES as readonly string[]).includes(recordType)) throw enumerationError(recordType, RR_TYPES);
    const zone = zoneOf(zoneId);
    const name = canonicalName(recordName);
    if (!(name === zone.name || name.endsWith(`.${zone.name}`)))
      throw invalidInput(`The record name ${recordName} is not in the hosted zone ${zone.name} (wording ours)`);
    // The answer comes from this zone alone, for the client subnet given (latency records).
    const subnet = query.get('edns0clientsubnetip') ?? query.get('resolverip') ?? '';
    const clientRegion = regionOfAddress(subnet) ?? 'us-east-1';
    const result = resolveQuery(world([zone]), { name, type: recordType, clientRegion });
    const data = result.answers.filter((a) => a.type === recordType).map((a) => leaf('RecordDataEntry', a.data));
    return ok(
      document(
        'TestDNSAnswerResponse',
        leaf('Nameserver', zone.nameServers[0] ?? 'ns.local'),
        leaf('RecordName', name),
        leaf('RecordType', recordType),
        node('RecordData', ...data),
        leaf('ResponseCode', result.rcode),
        leaf('Protocol', 'UDP'),
      ),
    );
  };

  const getHostedZoneCount: Handler = () => ok(document('GetHostedZoneCountResponse', leaf('HostedZoneCount', state.zones.length)));

  // -------------------------------------------------------------------------
  // Record sets and changes.

  const changeResourceRecordSets: Handler = async (req, [id]) => {
    const zone = zoneOf(id!);
    const root = body(parseRequest(req.body, 'ChangeResourceRecordSetsRequest'));
    const batch = readChanges(root);
    if (batch === undefined) throw validationError('null', 'changeBatch', 'Member must not be null');
    if (batch.comment !== undefined && batch.comment.length > 256) {
      throw validationError(batch.comment, 'changeBatch.comment', 'Member must have length less than or equal to 256');
    }
    // `records` only when asked (it reads every chunk): the batch looks sets up through `lookup`.
    const zoneView = (z: HostedZone) => ({
      id: z.id,
      name: z.name,
      get records() {
        return z.records;
      },
      lookup: store.index(z.id),
    });
    const outcome = planChangeBatch(
      {
        zone: zoneView(zone),
        healthCheckExists: (checkId) => state.healthChecks.some((c) => c.id === checkId),
        zoneById: (zoneId) => {
          const other = state.zones.find((z) => z.id === zoneId);
          return other === undefined ? undefined : zoneView(other);
        },
      },
      batch.changes,
    );
    if (!outcome.ok) throw outcome.error;
    const change = newChange(batch.comment);
    // The acceptWithoutApply fault answers as usual but keeps the zone as it was.
    const records: Route53Operation[] = faults.dropsChange() ? [] : [{ op: 'records', zoneId: zone.id, put: outcome.put, deleted: outcome.deleted }];
    await commit([...records, { op: 'change', change }]);
    // The change's status as GetChange would report it now: PENDING as on AWS, unless the
    // INSYNC delay is zero, when the caller need not ask (docs/local-runtime.md).
    return ok(document('ChangeResourceRecordSetsResponse', renderChangeInfo(change.id, statusOf(change), change.submittedAt, change.comment)));
  };

  const listResourceRecordSets: Handler = (req, [id]) => {
    const zone = zoneOf(id!);
    const query = req.url.searchParams;
    const maxItems = parseMaxItems(query.get('maxitems'), 300, 300);
    if (maxItems instanceof Route53Error) throw maxItems;
    const start = dropUndefined({
      name: query.get('name') ?? undefined,
      type: query.get('type') ?? undefined,
      identifier: query.get('identifier') ?? undefined,
    });
    const page = pageZoneRecords(store.index(zone.id), start, maxItems);
    if (page instanceof Route53Error) throw page;
    return ok(
      document(
        'ListResourceRecordSetsResponse',
        node('ResourceRecordSets', ...page.items.map(renderRecordSet)),
        leaf('IsTruncated', page.isTruncated),
        leaf('NextRecordName', page.next?.name),
        leaf('NextRecordType', page.next?.type),
        leaf('NextRecordIdentifier', page.next?.identifier),
        leaf('MaxItems', page.maxItems),
      ),
    );
  };

  const getChange: Handler = (_req, [id]) => {
    const bare = id!.replace(/^\/?change\//, '');
    const change = state.changes.find((c) => c.id === bare);
    if (change === undefined) throw noSuchChange(bare);
    return ok(document('GetChangeResponse', renderChangeInfo(change.id, statusOf(change), change.submittedAt, change.comment)));
  };

  // -------------------------------------------------------------------------
  // Health checks.

  const checkChildren = (config: HealthCheckConfig, selfId?: string) => {
    for (const childId of config.childHealthChecks ?? []) {
      const child = state.healthChecks.find((c) => c.id === childId);
      if (child === undefined) throw noSuchHealthCheck(childId);
      // (wording ours)
      if (child.config.type === 'CALCULATED' || childId === selfId) {
        throw invalidInput(`Invalid request: health check ${childId} is a CALCULATED health check and cannot be the child of another.`);
      }
    }
  };

  const createHealthCheck: Handler = async (req) => {
    const root = body(parseRequest(req.body, 'CreateHealthCheckRequest'));
    const callerReference = required(textOf(root, 'CallerReference'), 'callerReference');
    if (callerReference.length < 1 || callerReference.length > 64) {
      throw validationError(callerReference, 'callerReference', 'Member must have length less than or equal to 64');
    }
    const configNode = childOf(root, 'HealthCheckConfig');
    if (configNode === undefined) throw validationError('null', 'healthCheckConfig', 'Member must not be null');
    const config = parseHealthCheckConfig(readHealthCheckConfig(configNode));
    if (config instanceof Route53Error) throw config;
    checkChildren(config);
    const existing = state.healthChecks.find((c) => c.callerReference === callerReference);
    if (existing !== undefined) {
      if (!sameHealthCheckConfig(existing.config, config)) throw healthCheckAlreadyExists(callerReference);
      return ok(document('CreateHealthCheckResponse', renderHealthCheck(existing)), 201, { location: location(req, `healthcheck/${existing.id}`) });
    }
    if (state.deletedHealthCheckReferences.includes(callerReference)) throw healthCheckAlreadyExists(callerReference);
    const check: HealthCheck = { id: randomUUID(), callerReference, config, version: 1 };
    const written = commit([{ op: 'healthCheck', check }]);
    checker.track(check);
    await written;
    return ok(document('CreateHealthCheckResponse', renderHealthCheck(check)), 201, { location: location(req, `healthcheck/${check.id}`) });
  };

  const getHealthCheck: Handler = (_req, [id]) => ok(document('GetHealthCheckResponse', renderHealthCheck(healthCheckOf(id!))));

  const listHealthChecks: Handler = (req) => {
    const query = req.url.searchParams;
    const maxItems = parseMaxItems(query.get('maxitems'), 100, 1000);
    if (maxItems instanceof Route53Error) throw maxItems;
    return markerPage('ListHealthChecksResponse', 'HealthChecks', renderHealthCheck, state.healthChecks, query.get('marker'), maxItems);
  };

  const updateHealthCheck: Handler = async (req, [id]) => {
    const check = healthCheckOf(id!);
    const root = body(parseRequest(req.body, 'UpdateHealthCheckRequest'));
    const versionText = textOf(root, 'HealthCheckVersion');
    if (versionText !== undefined) {
      const version = parseInteger(versionText, 'healthCheckVersion', 1, Number.MAX_SAFE_INTEGER);
      if (version instanceof Route53Error) throw version;
      if (version !== check.version) throw healthCheckVersionMismatch(check.id, version, check.version);
    }
    const resets = textsOf(root, 'ResetElements', 'ResettableElementName') ?? [];
    const config = updateHealthCheckConfig(check.config, readHealthCheckConfig(root), resets);
    if (config instanceof Route53Error) throw config;
    checkChildren(config, check.id);
    const updated: HealthCheck = { ...check, config, version: check.version + 1 };
    const written = commit([{ op: 'healthCheck', check: updated }]);
    checker.track(updated);
    await written;
    return ok(document('UpdateHealthCheckResponse', renderHealthCheck(updated)));
  };

  const deleteHealthCheck: Handler = async (_req, [id]) => {
    const check = healthCheckOf(id!);
    const written = commit([{ op: 'deleteHealthCheck', id: check.id }]);
    checker.untrack(check.id);
    await written;
    return ok(document('DeleteHealthCheckResponse'));
  };

  const observationsXml = (checkId: string, onlyFailures: boolean) =>
    node(
      'HealthCheckObservations',
      ...checker
        .observations(checkId)
        .filter((o) => !onlyFailures || o.status.startsWith('Failure'))
        .map((o) =>
          node(
            'HealthCheckObservation',
            leaf('Region', o.region),
            leaf('IPAddress', o.ipAddress),
            node('StatusReport', leaf('Status', o.status), leaf('CheckedTime', o.checkedTime)),
          ),
        ),
    );

  const getHealthCheckStatus: Handler = (_req, [id]) => {
    const check = healthCheckOf(id!);
    // Route 53 does not report calculated checks through this API. (wording ours)
    if (check.config.type === 'CALCULATED') {
      throw invalidInput(
        `Invalid request: health check ${check.id} is a CALCULATED health check; GetHealthCheckStatus does not report calculated health checks.`,
      );
    }
    return ok(document('GetHealthCheckStatusResponse', observationsXml(check.id, false)));
  };

  const getHealthCheckLastFailureReason: Handler = (_req, [id]) => {
    const check = healthCheckOf(id!);
    return ok(document('GetHealthCheckLastFailureReasonResponse', observationsXml(check.id, true)));
  };

  const getHealthCheckCount: Handler = () => ok(document('GetHealthCheckCountResponse', leaf('HealthCheckCount', state.healthChecks.length)));

  // -------------------------------------------------------------------------
  // Tags.

  const taggable = (resourceType: string, resourceId: string): string => {
    if (resourceType === 'hostedzone') return `hostedzone/${zoneOf(resourceId).id}`;
    if (resourceType === 'healthcheck') return `healthcheck/${healthCheckOf(resourceId).id}`;
    throw validationError(resourceType, 'resourceType', 'Member must satisfy enum value set: [healthcheck, hostedzone]');
  };

  const changeTagsForResource: Handler = async (req, [type, id]) => {
    const key = taggable(type!, id!);
    const root = body(parseRequest(req.body, 'ChangeTagsForResourceRequest'));
    const add = listOf(root, 'AddTags', 'Tag') ?? [];
    const remove = textsOf(root, 'RemoveTagKeys', 'Key') ?? [];
    if (add.length > 10) throw validationError(String(add.length), 'addTags', 'Member must have length less than or equal to 10');
    if (remove.length > 10) throw validationError(String(remove.length), 'removeTagKeys', 'Member must have length less than or equal to 10');
    const tags = { ...(state.tags[key] ?? {}) };
    for (const tag of add) {
      const tagKey = textOf(tag, 'Key');
      if (tagKey === undefined || tagKey === '') throw validationError('null', 'addTags.member.key', 'Member must not be null');
      tags[tagKey] = textOf(tag, 'Value') ?? '';
    }
    for (const tagKey of remove) delete tags[tagKey];
    // (wording ours) Route 53 allows 50 tags per resource.
    if (Object.keys(tags).length > 50)
      throw invalidInput(`Invalid request: ${key} would have ${Object.keys(tags).length} tags; a resource can have at most 50.`);
    await commit([{ op: 'tags', key, tags }]);
    return ok(document('ChangeTagsForResourceResponse'));
  };

  const tagSetXml = (type: string, id: string) => {
    const key = taggable(type, id);
    return renderTagSet(type, key.slice(type.length + 1), state.tags[key] ?? {});
  };

  const listTagsForResource: Handler = (_req, [type, id]) => ok(document('ListTagsForResourceResponse', tagSetXml(type!, id!)));

  const listTagsForResources: Handler = (req, [type]) => {
    const root = body(parseRequest(req.body, 'ListTagsForResourcesRequest'));
    const ids = textsOf(root, 'ResourceIds', 'ResourceId') ?? [];
    if (ids.length === 0) throw validationError('[]', 'resourceIds', 'Member must have length greater than or equal to 1');
    if (ids.length > 10) throw validationError(String(ids.length), 'resourceIds', 'Member must have length less than or equal to 10');
    return ok(document('ListTagsForResourcesResponse', node('ResourceTagSets', ...ids.map((id) => tagSetXml(type!, id)))));
  };

  // -------------------------------------------------------------------------
  // Routing.

  const seg = '([^/]+)';
  const routes: Route[] = [
    { method: 'POST', pattern: /^hostedzone$/, changesZone: false, handler: createHostedZone },
    { method: 'GET', pattern: /^hostedzone$/, changesZone: false, handler: listHostedZones },
    { method: 'GET', pattern: /^hostedzonesbyname$/, changesZone: false, handler: listHostedZonesByName },
    { method: 'GET', pattern: /^hostedzonecount$/, changesZone: false, handler: getHostedZoneCount },
    { method: 'GET', pattern: /^testdnsanswer$/, changesZone: false, handler: testDnsAnswer },
    { method: 'GET', pattern: new RegExp(`^hostedzone/${seg}$`), changesZone: false, handler: getHostedZone },
    { method: 'DELETE', pattern: new RegExp(`^hostedzone/${seg}$`), changesZone: true, handler: deleteHostedZone },
    { method: 'POST', pattern: new RegExp(`^hostedzone/${seg}/rrset/?$`), changesZone: true, handler: changeResourceRecordSets },
    { method: 'GET', pattern: new RegExp(`^hostedzone/${seg}/rrset/?$`), changesZone: false, handler: listResourceRecordSets },
    { method: 'GET', pattern: new RegExp(`^change/${seg}$`), changesZone: false, handler: getChange },
    { method: 'POST', pattern: /^healthcheck$/, changesZone: false, handler: createHealthCheck },
    { method: 'GET', pattern: /^healthcheck$/, changesZone: false, handler: listHealthChecks },
    { method: 'GET', pattern: /^healthcheckcount$/, changesZone: false, handler: getHealthCheckCount },
    { method: 'GET', pattern: new RegExp(`^healthcheck/${seg}$`), changesZone: false, handler: getHealthCheck },
    { method: 'POST', pattern: new RegExp(`^healthcheck/${seg}$`), changesZone: false, handler: updateHealthCheck },
    { method: 'DELETE', pattern: new RegExp(`^healthcheck/${seg}$`), changesZone: false, handler: deleteHealthCheck },
    { method: 'GET', pattern: new RegExp(`^healthcheck/${seg}/status$`), changesZone: false, handler: getHealthCheckStatus },
    { method: 'GET', pattern: new RegExp(`^healthcheck/${seg}/lastfailurereason$`), changesZone: false, handler: getHealthCheckLastFailureReason },
    { method: 'POST', pattern: new RegExp(`^tags/${seg}/${seg}$`), changesZone: false, handler: changeTagsForResource },
    { method: 'GET', pattern: new RegExp(`^tags/${seg}/${seg}$`), changesZone: false, handler: listTagsForResource },
    { method: 'POST', pattern: new RegExp(`^tags/${seg}$`), changesZone: false, handler: listTagsForResources },
  ];

  const handle = async (req: LocalRequest): Promise<LocalResponse> => {
    const requestId = randomUUID();
    try {
      const path = req.url.pathname.slice(API_PREFIX.length);
      let params: string[] | undefined;
      const route = routes.find((r) => {
        if (r.method !== req.method) return false;
        const match = r.pattern.exec(path);
        params = match?.slice(1);
        return match !== null;
      });
      if (route === undefined) throw unknownOperation(req.method, req.url.pathname);
      const decoded = decodePathSegments(params ?? []);
      if (decoded instanceof Route53Error) throw decoded;
      const refusal = faults.check({ changesZone: route.changesZone });
      if (refusal !== undefined) throw refusal;
      const response = await route.handler(req, decoded);
      return { ...response, headers: { 'x-amzn-requestid': requestId, ...response.headers } };
    } catch (error) {
      const known =
        error instanceof Route53Error ? error : new Route53Error('InternalFailure', `Internal failure: ${(error as Error).message}`, 500, 'Receiver');
      return errorResponse(known, requestId);
    }
  };

  return {
    name: 'route53',
    // 1,000 changes with their names, identifiers and 32,000 characters of values, XML-escaped, with room to spare.
    maxBodyBytes: 2 * 1024 * 1024,
    matches: (req) => req.url.pathname.startsWith(API_PREFIX),
    handle,
    refuse: (_req, status, code, message) => errorResponse(new Route53Error(code, message, status, status >= 500 ? 'Receiver' : 'Sender'), randomUUID()),
    onHealthCheckStatusChange: (listener) => checker.subscribe(listener),
    healthCheckStatus: (id) => checker.isHealthy(id),
    resolve,
    // The health checker asks this on its probes: each zone's sets at the name come from its
    // index (a binary search, and only the chunk they are in), not from a scan of every set.
    aliasTargetOf: (name) => {
      const wanted = `${name.toLowerCase().replace(/\.$/, '')}.`;
      for (const zone of state.zones) {
        if (zone.privateZone) continue;
        for (const record of store.index(zone.id).named(wanted).values()) {
          if (record.type === 'A' && record.setIdentifier === undefined && record.aliasTarget !== undefined) return record.aliasTarget.dnsName;
        }
      }
      return undefined;
    },
    setFaults: (next) => faults.set(next),
    close: async () => {
      checker.close();
      await store.close();
    },
  };
}

function errorResponse(error: Route53Error, requestId: string): LocalResponse {
  return { status: error.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: errorDocument(error, requestId) };
}

/** The path's ids as the client meant them; a malformed %-escape is the client's error. */
function decodePathSegments(segments: readonly string[]): string[] | Route53Error {
  const decoded: string[] = [];
  for (const segment of segments) {
    try {
      decoded.push(decodeURIComponent(segment));
    } catch {
      return malformedPath(segment);
    }
  }
  return decoded;
}

/** Random bytes for ids, drawn from the system 4 KiB at a time: one call per id cost more than the rest of a small change. */
let randomPool = Buffer.alloc(0);
let randomPoolAt = 0;

/** Upper-case letters and digits, as in Route 53's zone and change ids. */
function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  if (randomPoolAt + length > randomPool.length) {
    randomPool = randomBytes(4096);
    randomPoolAt = 0;
  }
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[randomPool[randomPoolAt++]! % alphabet.length];
  return id;
}

function dropUndefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
