// Route 53's rules for a change batch, as pure functions over plain data.
//
// Route 53 checks a request in three passes and this module does the same:
//  1. the request itself (enumerations, number ranges, which fields go together,
//     that health checks exist): the first problem fails the request with
//     InvalidInput (or NoSuchHealthCheck);
//  2. the request limits (1,000 ResourceRecord elements and 32,000 value
//     characters, UPSERT counted twice): InvalidChangeBatch;
//  3. each change in order against a working copy of the zone, so a DELETE followed
//     by a CREATE of the same set is fine: every failing change adds a message and
//     is left out of the copy; any message rejects the whole batch.
// Nothing is applied unless the whole batch passes.
import { enumerationError, InvalidChangeBatch, invalidInput, noSuchHealthCheck, notImplemented, type Route53Error, validationError } from './errors.ts';
import { CHANGE_ACTIONS, RECORD_REGIONS, RR_TYPES, type ChangeAction, type RecordSet } from './model.ts';
import { describeNameProblem, isInZone, isWildcard, parseName, type NameProblem } from './names.ts';
import { recordKey, type RecordLookup } from './zone-index.ts';
import { checkValues, valueCharacters } from './values.ts';

export const MAX_RECORDS_PER_REQUEST = 1000;
export const MAX_VALUE_CHARACTERS_PER_REQUEST = 32000;

/** A change as it arrived: every field a string (or absent), nothing checked yet. */
export interface RawRecordSet {
  name?: string;
  type?: string;
  setIdentifier?: string;
  weight?: string;
  region?: string;
  geoLocation?: { continentCode?: string; countryCode?: string; subdivisionCode?: string };
  failover?: string;
  multiValueAnswer?: string;
  ttl?: string;
  resourceRecords?: (string | undefined)[];
  aliasTarget?: { hostedZoneId?: string; dnsName?: string; evaluateTargetHealth?: string };
  healthCheckId?: string;
  trafficPolicyInstanceId?: string;
  cidrRoutingConfig?: boolean;
  geoProximityLocation?: boolean;
}

export interface RawChange {
  action?: string;
  recordSet?: RawRecordSet;
}

export interface ZoneView {
  id: string;
  name: string;
  records: readonly RecordSet[];
  /** The zone's sets by identity and by name; without it a batch indexes `records` first (O(zone)). */
  lookup?: RecordLookup;
}

export interface BatchContext {
  zone: ZoneView;
  healthCheckExists(id: string): boolean;
  /** Another hosted zone of this account, for alias targets that point into it. */
  zoneById(id: string): ZoneView | undefined;
}

export type BatchOutcome = { ok: true; records: RecordSet[] } | { ok: false; error: Route53Error };

/** What a valid batch does to the zone: the sets it writes and the identities it removes, in order. */
export interface BatchEffect {
  put: RecordSet[];
  deleted: string[];
}

export type PlannedBatch = ({ ok: true } & BatchEffect) | { ok: false; error: Route53Error };

interface CheckedChange {
  action: ChangeAction;
  record: RecordSet;
  /** Why Route 53 cannot read the name as given (reported in pass 3, as Route 53 does). */
  nameProblem?: NameProblem;
  /** The same for an alias target's name. */
  targetProblem?: NameProblem;
}

/** Validates a whole change batch against a zone and returns the zone's records after it. */
export function applyChangeBatch(ctx: BatchContext, changes: readonly RawChange[]): BatchOutcome {
  const base = new Map(ctx.zone.records.map((r) => [recordKey(r), r]));
  const planned = planChangeBatch({ ...ctx, zone: { ...ctx.zone, lookup: ctx.zone.lookup ?? mapLookup(ctx.zone.records) } }, changes);
  if (!planned.ok) return planned;
  for (const key of planned.deleted) base.delete(key);
  for (const record of planned.put) base.set(recordKey(record), record);
  return { ok: true, records: [...base.values()] };
}

/**
 * Validates a whole change batch against a zone and says what it changes, looking only at
 * the sets at the names the batch touches (O(batch × sets at those names) with a lookup).
 */
export function planChangeBatch(ctx: BatchContext, changes: readonly RawChange[]): PlannedBatch {
  const checked: CheckedChange[] = [];
  if (changes.length === 0) {
    return { ok: false, error: validationError('[]', 'changeBatch.changes', 'Member must have length greater than or equal to 1') };
  }
  for (const [index, change] of changes.entries()) {
    const result = checkChange(change, index + 1, ctx);
    if ('error' in result) return { ok: false, error: result.error };
    checked.push(result);
  }
  const limit = checkLimits(checked);
  if (limit !== undefined) return { ok: false, error: new InvalidChangeBatch([limit]) };

  const working = new WorkingZone(ctx.zone.lookup ?? mapLookup(ctx.zone.records));
  const messages: string[] = [];
  for (const change of checked) {
    const problems = problemsWithChange(change, working, ctx);
    if (problems.length > 0) {
      messages.push(...problems);
      continue;
    }
    if (change.action === 'DELETE') working.delete(change.record);
    else working.set(change.record);
  }
  if (messages.length > 0) return { ok: false, error: new InvalidChangeBatch(messages) };
  return { ok: true, ...working.effect() };
}

/** Sets by identity and by name, from a plain list (O(records)). */
function mapLookup(records: readonly RecordSet[]): RecordLookup {
  const byKey = new Map<string, RecordSet>();
  const byName = new Map<string, Map<string, RecordSet>>();
  for (const r of records) {
    const key = recordKey(r);
    byKey.set(key, r);
    let sets = byName.get(r.name);
    if (sets === undefined) byName.set(r.name, (sets = new Map()));
    sets.set(key, r);
  }
  return { get: (key) => byKey.get(key), named: (name) => byName.get(name) ?? EMPTY_SETS };
}

/**
 * The zone as the earlier changes of a batch left it: the zone's own sets seen through
 * this batch's changes so far, so the same-name rules look at a name's few sets instead
 * of the whole zone.
 */
class WorkingZone {
  readonly #base: RecordLookup;
  /** Identity → the set this batch wrote there, or undefined when it deleted it; in order. */
  readonly #changed = new Map<string, RecordSet | undefined>();
  /** The same, by name. */
  readonly #changedByName = new Map<string, Map<string, RecordSet | undefined>>();

  constructor(base: RecordLookup) {
    this.#base = base;
  }

  /** The sets named `name`, keyed by identity. */
  named(name: string): ReadonlyMap<string, RecordSet> {
    const base = this.#base.named(name);
    const changed = this.#changedByName.get(name);
    if (changed === undefined) return base;
    const sets = new Map(base);
    for (const [key, record] of changed) {
      if (record === undefined) sets.delete(key);
      else sets.set(key, record);
    }
    return sets;
  }

  set(record: RecordSet): void {
    this.#note(record.name, recordKey(record), record);
  }

  delete(record: RecordSet): void {
    this.#note(record.name, recordKey(record), undefined);
  }

  #note(name: string, key: string, record: RecordSet | undefined): void {
    this.#changed.set(key, record);
    let sets = this.#changedByName.get(name);
    if (sets === undefined) this.#changedByName.set(name, (sets = new Map()));
    sets.set(key, record);
  }

  effect(): BatchEffect {
    const put: RecordSet[] = [];
    const deleted: string[] = [];
    for (const [key, record] of this.#changed) {
      if (record !== undefined) put.push(record);
      else if (this.#base.get(key) !== undefined) deleted.push(key);
    }
    return { put, deleted };
  }
}

const EMPTY_SETS: ReadonlyMap<string, RecordSet> = new Map();

export { recordKey };

/** `[name='x.example.com.', type='A']`, with `, set-identifier='s'` for routed sets. */
export function describeSet(r: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  const id = r.setIdentifier === undefined ? '' : `, set-identifier='${r.setIdentifier}'`;
  return `[name='${r.name}', type='${r.type}'${id}]`;
}

// ---------------------------------------------------------------------------
// Pass 1: the request itself.

type Checked = CheckedChange | { error: Route53Error };

function checkChange(change: RawChange, position: number, ctx: BatchContext): Checked {
  const path = `changeBatch.changes.${position}.member`;
  if (change.action === undefined) return { error: validationError('null', `${path}.action`, 'Member must not be null') };
  if (!isOneOf(change.action, CHANGE_ACTIONS)) return { error: enumerationError(change.action, CHANGE_ACTIONS) };
  const raw = change.recordSet;
  if (raw === undefined) return { error: validationError('null', `${path}.resourceRecordSet`, 'Member must not be null') };
  const rrPath = `${path}.resourceRecordSet`;
  if (raw.name === undefined) return { error: validationError('null', `${rrPath}.name`, 'Member must not be null') };
  if (raw.type === undefined) return { error: validationError('null', `${rrPath}.type`, 'Member must not be null') };
  if (!isOneOf(raw.type, RR_TYPES)) return { error: enumerationError(raw.type, RR_TYPES) };
  if (raw.trafficPolicyInstanceId !== undefined) return { error: notImplemented('traffic policy records (TrafficPolicyInstanceId)') };
  if (raw.cidrRoutingConfig === true) return { error: notImplemented('IP-based routing (CidrRoutingConfig)') };
  if (raw.geoProximityLocation === true) return { error: notImplemented('geoproximity routing (GeoProximityLocation)') };

  const parsed = parseName(raw.name);
  const name = parsed.ok ? parsed.name : raw.name;
  let targetProblem: NameProblem | undefined;
  const record: RecordSet = { name, type: raw.type };
  const changeWith = `[Action=${change.action}, Name=${name}, Type=${raw.type}, SetIdentifier=${raw.setIdentifier ?? 'null'}]`;

  if (raw.setIdentifier !== undefined) {
    if (raw.setIdentifier.length < 1 || raw.setIdentifier.length > 128) {
      return { error: validationError(raw.setIdentifier, `${rrPath}.setIdentifier`, 'Member must have length less than or equal to 128') };
    }
    record.setIdentifier = raw.setIdentifier;
  }
  const routing = checkRouting(raw, rrPath, changeWith, record);
  if (routing !== undefined) return { error: routing };

  const hasAlias = raw.aliasTarget !== undefined;
  const hasValues = raw.ttl !== undefined && raw.resourceRecords !== undefined && raw.resourceRecords.length > 0;
  const hasAnyValuePart = raw.ttl !== undefined || (raw.resourceRecords !== undefined && raw.resourceRecords.length > 0);
  if ((hasAlias && hasAnyValuePart) || (!hasAlias && !hasValues)) {
    const found = hasAlias ? 'more than one' : 'none';
    return {
      error: invalidInput(
        `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${found} in Change with ${changeWith}`,
      ),
    };
  }
  if (raw.aliasTarget !== undefined) {
    const alias = raw.aliasTarget;
    for (const field of ['hostedZoneId', 'dnsName', 'evaluateTargetHealth'] as const) {
      if (alias[field] === undefined) return { error: validationError('null', `${rrPath}.aliasTarget.${field}`, 'Member must not be null') };
    }
    const evaluate = parseBoolean(alias.evaluateTargetHealth!, `${rrPath}.aliasTarget.evaluateTargetHealth`);
    if (typeof evaluate !== 'boolean') return { error: evaluate };
    const target = parseName(alias.dnsName!);
    if (!target.ok) targetProblem = target.problem;
    record.aliasTarget = {
      hostedZoneId: alias.hostedZoneId!.replace(/^\/hostedzone\//, ''),
      dnsName: target.ok ? target.name : alias.dnsName!,
      evaluateTargetHealth: evaluate,
    };
  } else {
    const ttl = parseInteger(raw.ttl!, `${rrPath}.tTL`, 0, 2147483647);
    if (typeof ttl !== 'number') return { error: ttl };
    record.ttl = ttl;
    const values: string[] = [];
    for (const [i, value] of raw.resourceRecords!.entries()) {
      const valuePath = `${rrPath}.resourceRecords.${i + 1}.member.value`;
      if (value === undefined) return { error: validationError('null', valuePath, 'Member must not be null') };
      if (value.length > 4000) return { error: validationError(value, valuePath, 'Member must have length less than or equal to 4000') };
      values.push(value);
    }
    record.resourceRecords = values;
  }
  if (raw.healthCheckId !== undefined) {
    if (!ctx.healthCheckExists(raw.healthCheckId)) return { error: noSuchHealthCheck(raw.healthCheckId) };
    record.healthCheckId = raw.healthCheckId;
  }
  return {
    action: change.action,
    record,
    ...(parsed.ok ? {} : { nameProblem: parsed.problem }),
    ...(targetProblem === undefined ? {} : { targetProblem }),
  };
}

const POLICY_FIELDS = ['Weight', 'Region', 'GeoLocation', 'Failover', 'MultiValueAnswer'] as const;

/** Checks the routing fields and copies them onto `record`; returns the first problem. */
function checkRouting(raw: RawRecordSet, rrPath: string, changeWith: string, record: RecordSet): Route53Error | undefined {
  const present: string[] = [];
  if (raw.weight !== undefined) {
    const weight = parseInteger(raw.weight, `${rrPath}.weight`, 0, 255);
    if (typeof weight !== 'number') return weight;
    record.weight = weight;
    present.push('Weight');
  }
  if (raw.region !== undefined) {
    if (!isOneOf(raw.region, RECORD_REGIONS)) return enumerationError(raw.region, RECORD_REGIONS);
    record.region = raw.region;
    present.push('Region');
  }
  if (raw.geoLocation !== undefined) {
    const geo = raw.geoLocation;
    // (wording ours) Route 53 wants a continent or a country (with an optional US state).
    if ((geo.continentCode === undefined) === (geo.countryCode === undefined)) {
      return invalidInput(`Invalid request: GeoLocation needs exactly one of ContinentCode or CountryCode in Change with ${changeWith}`);
    }
    if (geo.subdivisionCode !== undefined && geo.countryCode === undefined) {
      return invalidInput(`Invalid request: GeoLocation SubdivisionCode needs a CountryCode in Change with ${changeWith}`);
    }
    record.geoLocation = Object.fromEntries(Object.entries(geo).filter(([, v]) => v !== undefined));
    present.push('GeoLocation');
  }
  if (raw.failover !== undefined) {
    if (raw.failover !== 'PRIMARY' && raw.failover !== 'SECONDARY') return enumerationError(raw.failover, ['PRIMARY', 'SECONDARY']);
    record.failover = raw.failover;
    present.push('Failover');
  }
  if (raw.multiValueAnswer !== undefined) {
    const multi = parseBoolean(raw.multiValueAnswer, `${rrPath}.multiValueAnswer`);
    if (typeof multi !== 'boolean') return multi;
    if (multi) {
      record.multiValueAnswer = true;
      present.push('MultiValueAnswer');
    }
  }
  // (wording ours) for the two checks that do not concern a missing SetIdentifier.
  if (present.length > 1) {
    return invalidInput(
      `Invalid request: Expected at most one of [${POLICY_FIELDS.join(', ')}], but found ${present.join(' and ')} in Change with ${changeWith}`,
    );
  }
  if (present.length === 1 && raw.setIdentifier === undefined) {
    return invalidInput(`Invalid request: Missing field 'SetIdentifier' in Change with ${changeWith}`);
  }
  if (present.length === 0 && raw.setIdentifier !== undefined) {
    return invalidInput(`Invalid request: A SetIdentifier needs one of [${POLICY_FIELDS.join(', ')}] in Change with ${changeWith}`);
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Pass 2: request limits.

function checkLimits(changes: readonly CheckedChange[]): string | undefined {
  let records = 0;
  let characters = 0;
  for (const { action, record } of changes) {
    const factor = action === 'UPSERT' ? 2 : 1;
    const values = record.resourceRecords ?? [];
    records += factor * values.length;
    characters += factor * valueCharacters(values);
  }
  if (records > MAX_RECORDS_PER_REQUEST) return `Number of records limit of ${MAX_RECORDS_PER_REQUEST} exceeded.`;
  if (characters > MAX_VALUE_CHARACTERS_PER_REQUEST) return `RDATA character limit of ${MAX_VALUE_CHARACTERS_PER_REQUEST} exceeded.`;
  return undefined;
}

// ---------------------------------------------------------------------------
// Pass 3: each change against the zone as the earlier changes left it.

function problemsWithChange(change: CheckedChange, working: WorkingZone, ctx: BatchContext): string[] {
  const { action, record } = change;
  if (change.nameProblem !== undefined) return [describeNameProblem(change.nameProblem)];
  const zoneName = ctx.zone.name;
  if (!isInZone(record.name, zoneName)) return [`RRSet with DNS name ${record.name} is not permitted in zone ${zoneName}`];
  const placement = problemWithPlacement(record, zoneName);
  if (placement !== undefined) return [placement];

  // One look at the name: the set with this identity and its neighbours.
  const key = recordKey(record);
  const atName = working.named(record.name);
  const existing = atName.get(key);
  if (action === 'DELETE') {
    if (existing === undefined) return [`Tried to delete resource record set ${describeSet(record)} but it was not found`];
    if (!sameRecordSet(existing, record)) {
      return [`Tried to delete resource record set ${describeSet(record)} but the values provided do not match the current values`];
    }
    if (record.name === zoneName && record.type === 'SOA') return ['A HostedZone must contain exactly one SOA record.'];
    if (record.name === zoneName && record.type === 'NS') return ['A HostedZone must contain at least one NS record for the zone itself.'];
    return [];
  }
  if (action === 'CREATE' && existing !== undefined) return [`Tried to create resource record set ${describeSet(record)} but it already exists`];
  if (record.resourceRecords !== undefined) {
    const values = checkValues(record.type, record.resourceRecords);
    if (values !== undefined) return [values];
  }
  if (record.aliasTarget !== undefined) {
    const alias = problemsWithAlias(record, change.targetProblem, working, ctx);
    if (alias.length > 0) return alias;
  }
  const neighbours = problemWithNeighbours(record, key, atName, zoneName);
  return neighbours === undefined ? [] : [neighbours];
}

// (wording ours) for the three placement rules.
function problemWithPlacement(record: RecordSet, zoneName: string): string | undefined {
  if (record.type === 'CNAME' && record.name === zoneName) {
    return `RRSet of type CNAME with DNS name ${record.name} is not permitted at apex in zone ${zoneName}`;
  }
  if (record.type === 'SOA' && record.name !== zoneName) {
    return `RRSet of type SOA with DNS name ${record.name} is not permitted because SOA records are allowed only at the apex of zone ${zoneName}`;
  }
  if (record.type === 'NS' && isWildcard(record.name)) {
    return `RRSet of type NS with DNS name ${record.name} is not permitted because NS records cannot have a wildcard name`;
  }
  if ((record.type === 'CNAME' || record.type === 'SOA') && (record.resourceRecords?.length ?? 0) > 1) {
    return `RRSet of type ${record.type} with DNS name ${record.name} is not permitted because it can hold only one resource record`;
  }
  return undefined;
}

/** Route 53 reports both problems of an alias that points outside its target zone. */
function problemsWithAlias(record: RecordSet, targetProblem: NameProblem | undefined, working: WorkingZone, ctx: BatchContext): string[] {
  const alias = record.aliasTarget!;
  if (targetProblem !== undefined) return [describeNameProblem(targetProblem)];
  // Only a target in one of this account's zones can be checked; AWS resources (load
  // balancers, CloudFront, ...) live in Route 53's own zones.
  const zone = alias.hostedZoneId === ctx.zone.id ? ctx.zone : ctx.zoneById(alias.hostedZoneId);
  if (zone === undefined) return [];
  const subject = `Tried to create an alias that targets ${alias.dnsName}, type ${record.type} in zone ${alias.hostedZoneId}`;
  const candidates =
    zone === ctx.zone ? [...working.named(alias.dnsName).values()] : zone.lookup !== undefined ? [...zone.lookup.named(alias.dnsName).values()] : zone.records;
  const found = candidates.some((r) => r.name === alias.dnsName && r.type === record.type);
  const problems: string[] = [];
  if (!isInZone(alias.dnsName, zone.name)) problems.push(`${subject}, but the alias target name does not lie within the target zone`);
  if (!found) problems.push(`${subject}, but that target was not found`);
  return problems;
}

/** Rules that concern the other sets with the same name (`atName`: the sets named as `record`, by identity; `key` its own). */
function problemWithNeighbours(record: RecordSet, key: string, atName: ReadonlyMap<string, RecordSet>, zoneName: string): string | undefined {
  let otherType = false;
  let cname = false;
  let sameType: RecordSet[] | undefined;
  for (const [k, r] of atName) {
    if (k === key) continue;
    if (r.type !== 'CNAME') otherType = true;
    else cname = true;
    if (r.type === record.type) (sameType ??= []).push(r);
  }
  if (record.type === 'CNAME' && otherType) {
    return `RRSet of type CNAME with DNS name ${record.name} is not permitted as it conflicts with other records with the same DNS name in zone ${zoneName}`;
  }
  if (record.type !== 'CNAME' && cname) {
    return `RRSet of type ${record.type} with DNS name ${record.name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneName}`;
  }
  if (sameType === undefined) return undefined;
  const policy = policyOf(record);
  if (policy === 'simple')
    return `RRSet with DNS name ${record.name}, type ${record.type} cannot be created as other RRSets exist with the same name and type.`;
  if (sameType.some((r) => policyOf(r) !== policy)) return mixedPolicyMessage(record, policy);
  if (policy === 'failover' && sameType.some((r) => r.failover === record.failover)) {
    // (wording ours)
    return `RRSet with DNS name ${record.name}, type ${record.type}, SetIdentifier ${record.setIdentifier} cannot be created because a failover RRSet with the same name, type and failover setting ${record.failover} already exists.`;
  }
  return undefined;
}

type Policy = 'simple' | 'weighted' | 'latency' | 'geo' | 'failover' | 'multivalue';

export function policyOf(r: RecordSet): Policy {
  if (r.weight !== undefined) return 'weighted';
  if (r.region !== undefined) return 'latency';
  if (r.geoLocation !== undefined) return 'geo';
  if (r.failover !== undefined) return 'failover';
  if (r.multiValueAnswer === true) return 'multivalue';
  return 'simple';
}

const CONTINENTS: Record<string, string> = {
  AF: 'Africa',
  AN: 'Antarctica',
  AS: 'Asia',
  EU: 'Europe',
  NA: 'North America',
  OC: 'Oceania',
  SA: 'South America',
};

function mixedPolicyMessage(record: RecordSet, policy: Policy): string {
  const head = `RRSet with DNS name ${record.name}, type ${record.type}, SetIdentifier ${record.setIdentifier}`;
  switch (policy) {
    case 'latency':
      return `${head}, and Region Name=${record.region} cannot be created because a non-latency RRSet with the same name and type already exists.`;
    case 'geo': {
      const geo = record.geoLocation!;
      const where =
        geo.continentCode !== undefined
          ? `continent = (${geo.continentCode}, ${CONTINENTS[geo.continentCode] ?? geo.continentCode})`
          : `country = (${geo.countryCode}${geo.subdivisionCode === undefined ? '' : `, ${geo.subdivisionCode}`})`;
      return `${head}, and routing to [${where}] cannot be created because a non-GEO RRSet with the same name and type already exists.`;
    }
    case 'weighted':
      return `${head} cannot be created as a non-weighted set exists with the same name and type.`;
    default:
      // (wording ours) for failover and multivalue, following the weighted message.
      return `${head} cannot be created as a non-${policy} set exists with the same name and type.`;
  }
}

/** A DELETE must repeat the set exactly: TTL, values (in any order), alias target and routing. */
export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  const sorted = (values: string[] | undefined) => (values === undefined ? undefined : [...values].sort());
  return (
    a.ttl === b.ttl &&
    JSON.stringify(sorted(a.resourceRecords)) === JSON.stringify(sorted(b.resourceRecords)) &&
    a.aliasTarget?.hostedZoneId === b.aliasTarget?.hostedZoneId &&
    a.aliasTarget?.dnsName === b.aliasTarget?.dnsName &&
    a.aliasTarget?.evaluateTargetHealth === b.aliasTarget?.evaluateTargetHealth &&
    a.weight === b.weight &&
    a.region === b.region &&
    a.failover === b.failover &&
    (a.multiValueAnswer ?? false) === (b.multiValueAnswer ?? false) &&
    a.healthCheckId === b.healthCheckId &&
    JSON.stringify(a.geoLocation ?? null) === JSON.stringify(b.geoLocation ?? null)
  );
}

// ---------------------------------------------------------------------------
// Scalars.

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** An integer in [min, max], or the InvalidInput Route 53 answers with. */
export function parseInteger(text: string, path: string, min: number, max: number): number | Route53Error {
  if (!/^-?[0-9]+$/.test(text.trim())) return invalidInput(`Invalid XML ; cvc-datatype-valid.1.2.1: '${text}' is not a valid value for 'integer'.`);
  const value = Number(text.trim());
  if (value < min) return validationError(text, path, `Member must have value greater than or equal to ${min}`);
  if (value > max) return validationError(text, path, `Member must have value less than or equal to ${max}`);
  return value;
}

export function parseBoolean(text: string, path: string): boolean | Route53Error {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return invalidInput(`Invalid XML ; cvc-datatype-valid.1.2.1: '${text}' is not a valid value for 'boolean' at '${path}'.`);
}
