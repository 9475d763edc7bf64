// What Route 53's name servers answer for a query, computed from the hosted zones and the
// health of their checks: the one resolver behind the local DNS server and TestDNSAnswer.
// Pure: zones, health and chance come in as plain data and functions. The rules it follows,
// with the pages they come from, are in docs/local-runtime.md ("DNS answers").
import type { HostedZone, RecordSet } from './model.ts';
import { distanceKm } from './region-latency.ts';

export type ResponseCode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'SERVFAIL';

export interface AnswerRecord {
  /** Owner name, canonical (lower case, trailing dot). */
  name: string;
  type: string;
  ttl: number;
  /** The value as Route 53 stores it (e.g. `"text"` for TXT, `10 mail.example.com` for MX). */
  data: string;
}

export interface Resolution {
  rcode: ResponseCode;
  answers: AnswerRecord[];
  /** The zone's SOA on NXDOMAIN and NODATA (negative caching, RFC 2308). */
  authority: AnswerRecord[];
  /** The zone that answered (undefined when REFUSED). */
  zone?: HostedZone;
}

/** A load balancer (or other AWS resource) an alias record points at, outside the local zones. */
export interface ExternalTarget {
  addresses: string[];
  /** What EvaluateTargetHealth sees: false when the resource has no healthy targets. */
  healthy: boolean;
}

export interface ResolverWorld {
  zones: readonly HostedZone[];
  /** Status of a health check; an id that does not exist counts as healthy. */
  healthy(healthCheckId: string): boolean;
  /** Addresses of an alias target outside the zones (an ELB DNS name), for A or AAAA. */
  external(dnsName: string, type: 'A' | 'AAAA'): ExternalTarget | undefined;
  /** Uniform in [0, 1): weighted and multivalue choices. */
  random(): number;
}

export interface Query {
  name: string;
  type: string;
  /** The client's region, for latency records (from EDNS Client Subnet; see region-latency.ts). */
  clientRegion: string;
}

/** Route 53 answers an alias to an AWS resource (ELB, …) with this TTL. */
export const ALIAS_RESOURCE_TTL = 60;
/** CNAME and alias chains longer than this are a loop. */
const MAX_CHAIN = 8;
/** A multivalue answer returns up to eight healthy records. */
const MULTIVALUE_LIMIT = 8;

export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function isWithinZone(name: string, zone: string): boolean {
  // name === zone, or name ends with `.${zone}` (no string built: this runs for every zone of every query)
  return name === zone || (name.length > zone.length && name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 46);
}

/** A zone's records by owner name, and the names with records below them: what every query looks up. */
interface ZoneIndex {
  /** The records array indexed (its length, to notice an array changed in place). */
  size: number;
  byName: Map<string, RecordSet[]>;
  /** Every proper ancestor of a record's name: a name here exists even without records of its own. */
  ancestors: Set<string>;
}

/**
 * Indexes by records array: after any change a zone's `records` is a new array (zone-index.ts),
 * so the next query indexes the new one and the old index goes with the old array.
 */
const indexes = new WeakMap<readonly RecordSet[], ZoneIndex>();

function indexOf(zone: HostedZone): ZoneIndex {
  const known = indexes.get(zone.records);
  if (known !== undefined && known.size === zone.records.length) return known;
  const byName = new Map<string, RecordSet[]>();
  const ancestors = new Set<string>();
  for (const record of zone.records) {
    const sets = byName.get(record.name);
    if (sets === undefined) byName.set(record.name, [record]);
    else sets.push(record);
    for (let dot = record.name.indexOf('.'); dot !== -1 && dot < record.name.length - 1; dot = record.name.indexOf('.', dot + 1))
      ancestors.add(record.name.slice(dot + 1));
  }
  const index = { size: zone.records.length, byName, ancestors };
  indexes.set(zone.records, index);
  return index;
}

/** The most specific zone holding `name`; a public zone wins over a private one of the same name. */
export function zoneFor(zones: readonly HostedZone[], name: string): HostedZone | undefined {
  let best: HostedZone | undefined;
  for (const zone of zones) {
    if (!isWithinZone(name, zone.name)) continue;
    if (best === undefined || zone.name.length > best.name.length || (zone.name.length === best.name.length && best.privateZone && !zone.privateZone))
      best = zone;
  }
  return best;
}

/** RFC 2308: negative answers are cached for min(SOA TTL, SOA MINIMUM). */
function negativeSoa(zone: HostedZone): AnswerRecord[] {
  const soa = indexOf(zone)
    .byName.get(zone.name)
    ?.find((r) => r.type === 'SOA');
  const value = soa?.resourceRecords?.[0];
  if (soa === undefined || value === undefined) return [];
  const minimum = Number(value.trim().split(/\s+/)[6]);
  return [{ name: zone.name, type: 'SOA', ttl: Math.min(soa.ttl ?? 900, Number.isFinite(minimum) ? minimum : 900), data: value }];
}

/** Record sets at `name` in `zone`, with a wildcard standing in where the name has none (RFC 4592). */
function setsAt(zone: HostedZone, name: string): { sets: readonly RecordSet[]; exists: boolean } {
  const { byName, ancestors } = indexOf(zone);
  const exact = byName.get(name);
  if (exact !== undefined) return { sets: exact, exists: true };
  if (ancestors.has(name)) return { sets: [], exists: true }; // an empty non-terminal: NODATA, not NXDOMAIN
  // The closest encloser's wildcard, if the name has no nearer existing ancestor.
  let parent = name.slice(name.indexOf('.') + 1);
  while (isWithinZone(parent, zone.name)) {
    const wildcard = byName.get(`*.${parent}`);
    if (wildcard !== undefined) return { sets: wildcard, exists: true };
    if (byName.has(parent) || ancestors.has(parent)) break;
    if (parent === zone.name) break;
    parent = parent.slice(parent.indexOf('.') + 1);
  }
  return { sets: [], exists: false };
}

interface Context {
  world: ResolverWorld;
  clientRegion: string;
  depth: number;
}

/** Is this record set eligible: its own health check, and its alias target's health when evaluated. */
function setHealthy(set: RecordSet, ctx: Context): boolean {
  if (set.healthCheckId !== undefined && !ctx.world.healthy(set.healthCheckId)) return false;
  if (set.aliasTarget?.evaluateTargetHealth) return aliasTargetHealthy(set, ctx);
  return true;
}

function aliasTargetHealthy(set: RecordSet, ctx: Context): boolean {
  const target = set.aliasTarget!;
  const zone = zoneFor(ctx.world.zones, target.dnsName);
  if (zone === undefined) {
    const type = set.type === 'AAAA' ? 'AAAA' : 'A';
    return ctx.world.external(target.dnsName, type)?.healthy ?? true;
  }
  if (ctx.depth >= MAX_CHAIN) return false;
  // An alias to a record set group is healthy when at least one record in the group is.
  const group = setsAt(zone, target.dnsName).sets.filter((s) => s.type === set.type);
  if (group.length === 0) return false;
  return group.some((s) => setHealthy(s, { ...ctx, depth: ctx.depth + 1 }));
}

function weightedPick(sets: readonly RecordSet[], random: () => number): RecordSet | undefined {
  const total = sets.reduce((sum, s) => sum + (s.weight ?? 0), 0);
  if (sets.length === 0) return undefined;
  if (total === 0) return sets[Math.floor(random() * sets.length)];
  let point = random() * total;
  for (const set of sets) {
    point -= set.weight ?? 0;
    if (point < 0 && (set.weight ?? 0) > 0) return set;
  }
  return sets.filter((s) => (s.weight ?? 0) > 0).at(-1);
}

/**
 * The record sets of one name and type that Route 53 answers with, by routing policy.
 * "All unhealthy" fails open: Route 53 then considers every record in the group healthy.
 */
export function chooseSets(group: readonly RecordSet[], ctx: Context): RecordSet[] {
  if (group.length === 0) return [];
  const first = group[0]!;
  if (first.setIdentifier === undefined) return [first];
  const healthy = group.filter((s) => setHealthy(s, ctx));
  if (first.weight !== undefined) {
    // Zero weights are considered only when every non-zero record is unhealthy.
    const pick =
      weightedPick(
        healthy.filter((s) => (s.weight ?? 0) > 0),
        ctx.world.random,
      ) ??
      weightedPick(healthy, ctx.world.random) ??
      weightedPick(group, ctx.world.random);
    return pick === undefined ? [] : [pick];
  }
  if (first.failover !== undefined) {
    const primary = group.find((s) => s.failover === 'PRIMARY');
    const secondary = group.find((s) => s.failover === 'SECONDARY');
    if (primary !== undefined && healthy.includes(primary)) return [primary];
    if (secondary !== undefined && healthy.includes(secondary)) return [secondary];
    const open = primary ?? secondary;
    return open === undefined ? [] : [open];
  }
  if (first.region !== undefined) {
    const byDistance = (sets: RecordSet[]) =>
      [...sets].sort(
        (a, b) => distanceKm(ctx.clientRegion, a.region!) - distanceKm(ctx.clientRegion, b.region!) || a.setIdentifier!.localeCompare(b.setIdentifier!),
      );
    const pick = byDistance(healthy)[0] ?? byDistance([...group])[0];
    return pick === undefined ? [] : [pick];
  }
  if (first.multiValueAnswer) {
    const pool = healthy.length > 0 ? healthy : [...group];
    return shuffle(pool, ctx.world.random).slice(0, MULTIVALUE_LIMIT);
  }
  // Geolocation and other policies Switchyard does not write: the first healthy set.
  return [healthy[0] ?? first];
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The answer records of one chosen set, as `owner` (a wildcard or an alias answers under the query's name). */
function recordsOf(set: RecordSet, owner: string, type: string, ctx: Context): AnswerRecord[] {
  if (set.aliasTarget === undefined) return (set.resourceRecords ?? []).map((data) => ({ name: owner, type: set.type, ttl: set.ttl ?? 300, data }));
  const target = set.aliasTarget.dnsName;
  if (zoneFor(ctx.world.zones, target) === undefined) {
    const external = type === 'A' || type === 'AAAA' ? ctx.world.external(target, type) : undefined;
    return (external?.addresses ?? []).map((data) => ({ name: owner, type, ttl: ALIAS_RESOURCE_TTL, data }));
  }
  if (ctx.depth >= MAX_CHAIN) return [];
  // An alias to another record in the zones: its answer, under this name, with its TTL.
  const inner = lookup({ name: target, type, clientRegion: ctx.clientRegion }, { ...ctx, depth: ctx.depth + 1 });
  return inner.answers.filter((a) => a.name === target && a.type === type).map((a) => ({ ...a, name: owner }));
}

function lookup(query: Query, ctx: Context): Resolution {
  const name = canonicalName(query.name);
  const type = query.type.toUpperCase();
  const zone = zoneFor(ctx.world.zones, name);
  if (zone === undefined) return { rcode: 'REFUSED', answers: [], authority: [] };
  const { sets, exists } = setsAt(zone, name);
  if (!exists) return { rcode: 'NXDOMAIN', answers: [], authority: negativeSoa(zone), zone };
  const group = sets.filter((s) => s.type === type);
  if (group.length > 0) {
    const answers = chooseSets(group, ctx).flatMap((set) => recordsOf(set, name, type, ctx));
    return answers.length > 0 ? { rcode: 'NOERROR', answers, authority: [], zone } : { rcode: 'NOERROR', answers: [], authority: negativeSoa(zone), zone };
  }
  const cname = sets.find((s) => s.type === 'CNAME');
  if (cname !== undefined && type !== 'CNAME') {
    const own = chooseSets(
      sets.filter((s) => s.type === 'CNAME'),
      ctx,
    ).flatMap((set) => recordsOf(set, name, 'CNAME', ctx));
    const target = own[0]?.data;
    if (target === undefined || ctx.depth >= MAX_CHAIN) return { rcode: 'NOERROR', answers: own, authority: [], zone };
    // Follow the chain while it stays in the zones Route 53 is authoritative for here.
    const next =
      zoneFor(ctx.world.zones, canonicalName(target)) === undefined
        ? undefined
        : lookup({ name: target, type, clientRegion: ctx.clientRegion }, { ...ctx, depth: ctx.depth + 1 });
    return { rcode: next?.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'NOERROR', answers: [...own, ...(next?.answers ?? [])], authority: next?.authority ?? [], zone };
  }
  return { rcode: 'NOERROR', answers: [], authority: negativeSoa(zone), zone };
}

/** Resolves one question as Route 53's authoritative name servers would. */
export function resolve(world: ResolverWorld, query: Query): Resolution {
  return lookup(query, { world, clientRegion: query.clientRegion, depth: 0 });
}
