// Route 53's REST-XML wire format (API version 2013-04-01): reading request bodies
// and writing response bodies. No rules here, only shapes.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { malformedInput, type Route53Error } from './errors.ts';
import type { HealthCheck, HealthCheckConfig, HostedZone, RecordSet } from './model.ts';
import { decodeXmlText, xmlSafeText } from './xml-chars.ts';
import { readSimpleXml } from './xml-simple.ts';

export const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

// ---------------------------------------------------------------------------
// Reading.

/** Elements that are list members wherever they appear under these parents. */
const LIST_PATHS = [
  'Changes.Change',
  'ResourceRecords.ResourceRecord',
  'ChildHealthChecks.ChildHealthCheck',
  'Regions.Region',
  'AddTags.Tag',
  'RemoveTagKeys.Key',
  'ResourceIds.ResourceId',
  'ResetElements.ResettableElementName',
];

/** True for an element (by its dotted path, root first) whose value is always a list. */
export const isListPath = (jpath: string): boolean => LIST_PATHS.some((suffix) => jpath.endsWith(suffix));

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  htmlEntities: true,
  isArray: (_name: string, jpath: unknown) => typeof jpath === 'string' && isListPath(jpath),
});

export type XmlObject = { [name: string]: XmlValue };
export type XmlValue = string | XmlObject | XmlValue[];

/** Deeper than any Route 53 request (a change batch's values are 8 levels down). */
export const MAX_XML_DEPTH = 32;

/** Comments and CDATA sections, whose text is not markup. */
const NOT_MARKUP = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;
/** An entity reference other than XML's five and character references. */
const UNDECLARED_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[^\s;<]{0,32};?/;

/**
 * What a Route 53 request may not hold, whatever the XML parser would make of it: a
 * document type (its entities are never expanded: a billion laughs or an external file),
 * an entity it does not declare (an HTML entity), or elements nested past MAX_XML_DEPTH.
 */
export function refusedMarkup(text: string): string | undefined {
  const markup = text.replace(NOT_MARKUP, '');
  if (/<!DOCTYPE/i.test(markup) || /<!ENTITY/i.test(markup)) return 'Document type declarations (DOCTYPE, ENTITY) are not allowed in the request body';
  const entity = UNDECLARED_ENTITY.exec(markup);
  if (entity !== null) return `The entity reference ${JSON.stringify(entity[0])} is not declared`;
  return xmlDepthExceeds(markup, MAX_XML_DEPTH) ? `Elements are nested deeper than ${MAX_XML_DEPTH} levels` : undefined;
}

/** True when elements nest deeper than `max` (counted from start and end tags, in one pass). */
function xmlDepthExceeds(markup: string, max: number): boolean {
  let depth = 0;
  for (let at = markup.indexOf('<'); at !== -1; at = markup.indexOf('<', at + 1)) {
    const next = markup[at + 1];
    if (next === '/') depth -= 1;
    else if (next !== '?' && next !== '!') {
      // A start tag: self-closing when it ends with "/>" (quoted attribute values may hold ">").
      let end = at + 1;
      let quote: string | undefined;
      for (; end < markup.length; end++) {
        const ch = markup[end];
        if (quote !== undefined) {
          if (ch === quote) quote = undefined;
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '>') break;
      }
      if (markup[end - 1] !== '/') depth += 1;
      if (depth > max) return true;
      at = end;
    }
  }
  return false;
}

/**
 * A document read by the full parser: undefined when it is not well-formed XML, the
 * parser's error when it refuses what it reads (a name such as `__proto__`).
 */
export function parseXmlDocument(text: string): XmlObject | Error | undefined {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) return undefined;
  try {
    return parser.parse(text) as XmlObject;
  } catch (error) {
    return error as Error;
  }
}

/** The body's root element, which must be `rootName`; MalformedInput otherwise, as Route 53 answers. */
export function parseRequest(body: Buffer, rootName: string): XmlObject | Route53Error {
  const text = decodeXmlText(body);
  if (typeof text !== 'string') return text;
  // What the fast reader answers holds nothing refusedMarkup refuses (it takes no document
  // type, no entity but the five, and nothing nested past MAX_XML_DEPTH), so only a body it
  // leaves to the full parser is scanned for them first.
  let doc: XmlObject | Error | undefined = readSimpleXml(text, isListPath, MAX_XML_DEPTH);
  if (doc === undefined) {
    const refused = refusedMarkup(text);
    if (refused !== undefined) return malformedInput(`Could not parse the request body: ${refused}`);
    doc = parseXmlDocument(text);
  }
  if (doc === undefined) return malformedInput(`Could not parse the request body: expected a ${rootName} XML document`);
  if (doc instanceof Error) return malformedInput(`Could not parse the request body: ${doc.message}`);
  const root = doc[rootName];
  if (root === undefined) return malformedInput(`Request body is not valid, expected ${rootName}`);
  return typeof root === 'object' && !Array.isArray(root) ? root : {};
}

/** A child element's text, or undefined when absent. */
export function textOf(node: XmlValue | undefined, name: string): string | undefined {
  if (node === undefined || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const child = node[name];
  return typeof child === 'string' ? child : undefined;
}

export function childOf(node: XmlValue | undefined, name: string): XmlObject | undefined {
  if (node === undefined || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const child = node[name];
  if (child === undefined) return undefined;
  return typeof child === 'object' && !Array.isArray(child) ? child : {};
}

/** The members of a list element such as `<Changes><Change/>...</Changes>`; undefined when the list is absent. */
export function listOf(node: XmlValue | undefined, listName: string, memberName: string): XmlValue[] | undefined {
  if (node === undefined || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const list = node[listName];
  if (list === undefined) return undefined;
  if (typeof list !== 'object' || Array.isArray(list)) return [];
  const members = list[memberName];
  return Array.isArray(members) ? members : members === undefined ? [] : [members];
}

export function textsOf(node: XmlValue | undefined, listName: string, memberName: string): string[] | undefined {
  return listOf(node, listName, memberName)?.map((m) => (typeof m === 'string' ? m : ''));
}

// ---------------------------------------------------------------------------
// Writing.

const XML_SPECIAL = /[&<>"']/;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(value: string): string {
  // Most values (names, ids, numbers) have nothing to escape: a listing renders thousands.
  return XML_SPECIAL.test(value) ? value.replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch]!) : value;
}

/** `<name>text</name>`, or nothing when the value is absent. */
export function leaf(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>...children...</name>` from already rendered children. */
export function node(name: string, ...children: string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}

export function document(rootName: string, ...children: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${rootName} xmlns="${XMLNS}">${children.join('')}</${rootName}>`;
}

export function errorDocument(error: Route53Error, requestId: string): string {
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="${XMLNS}">${node(
    'Error',
    leaf('Type', error.type),
    leaf('Code', error.code),
    // A message may quote what the request held: never let it break the document.
    leaf('Message', xmlSafeText(error.message)),
  )}${leaf('RequestId', requestId)}</ErrorResponse>`;
}

export function renderRecordSet(r: RecordSet): string {
  // One string appended to, not nested node() and leaf() calls with their argument lists and
  // joins: a listing renders 300 sets a page, and a drain reads a whole zone five times
  // (docs/benchmarks.md). Same elements, same order as the nested form.
  let xml = `<ResourceRecordSet><Name>${escapeXml(r.name)}</Name><Type>${escapeXml(r.type)}</Type>`;
  if (r.setIdentifier !== undefined) xml += `<SetIdentifier>${escapeXml(r.setIdentifier)}</SetIdentifier>`;
  if (r.weight !== undefined) xml += leaf('Weight', r.weight);
  if (r.region !== undefined) xml += leaf('Region', r.region);
  const geo = r.geoLocation;
  if (geo !== undefined)
    xml += node('GeoLocation', leaf('ContinentCode', geo.continentCode), leaf('CountryCode', geo.countryCode), leaf('SubdivisionCode', geo.subdivisionCode));
  if (r.failover !== undefined) xml += leaf('Failover', r.failover);
  if (r.multiValueAnswer !== undefined) xml += leaf('MultiValueAnswer', r.multiValueAnswer);
  if (r.ttl !== undefined) xml += leaf('TTL', r.ttl);
  if (r.resourceRecords !== undefined) {
    xml += '<ResourceRecords>';
    for (const value of r.resourceRecords) xml += `<ResourceRecord><Value>${escapeXml(value)}</Value></ResourceRecord>`;
    xml += '</ResourceRecords>';
  }
  const alias = r.aliasTarget;
  if (alias !== undefined) {
    xml += `<AliasTarget><HostedZoneId>${escapeXml(alias.hostedZoneId)}</HostedZoneId><DNSName>${escapeXml(alias.dnsName)}</DNSName>`;
    xml += `<EvaluateTargetHealth>${alias.evaluateTargetHealth}</EvaluateTargetHealth></AliasTarget>`;
  }
  if (r.healthCheckId !== undefined) xml += `<HealthCheckId>${escapeXml(r.healthCheckId)}</HealthCheckId>`;
  return `${xml}</ResourceRecordSet>`;
}

export function renderHostedZone(zone: HostedZone, recordCount = zone.records.length): string {
  return node(
    'HostedZone',
    leaf('Id', `/hostedzone/${zone.id}`),
    leaf('Name', zone.name),
    leaf('CallerReference', zone.callerReference),
    node('Config', leaf('Comment', zone.comment), leaf('PrivateZone', zone.privateZone)),
    leaf('ResourceRecordSetCount', recordCount),
  );
}

export function renderDelegationSet(zone: HostedZone): string {
  if (zone.privateZone) return '';
  return node('DelegationSet', node('NameServers', ...zone.nameServers.map((ns) => leaf('NameServer', ns))));
}

export function renderVpcs(zone: HostedZone, listName: string | undefined): string {
  const vpcs = zone.vpcs.map((v) => node('VPC', leaf('VPCRegion', v.vpcRegion), leaf('VPCId', v.vpcId)));
  return listName === undefined ? vpcs.join('') : vpcs.length === 0 ? '' : node(listName, ...vpcs);
}

export function renderChangeInfo(id: string, status: 'PENDING' | 'INSYNC', submittedAt: string, comment?: string): string {
  return node('ChangeInfo', leaf('Id', `/change/${id}`), leaf('Status', status), leaf('SubmittedAt', submittedAt), leaf('Comment', comment));
}

export function renderHealthCheckConfig(c: HealthCheckConfig): string {
  return node(
    'HealthCheckConfig',
    leaf('IPAddress', c.ipAddress),
    leaf('Port', c.port),
    leaf('Type', c.type),
    leaf('ResourcePath', c.resourcePath),
    leaf('FullyQualifiedDomainName', c.fullyQualifiedDomainName),
    leaf('SearchString', c.searchString),
    leaf('RequestInterval', c.requestInterval),
    leaf('FailureThreshold', c.failureThreshold),
    leaf('MeasureLatency', c.measureLatency),
    leaf('Inverted', c.inverted),
    leaf('Disabled', c.disabled),
    leaf('HealthThreshold', c.healthThreshold),
    c.childHealthChecks === undefined ? '' : node('ChildHealthChecks', ...c.childHealthChecks.map((id) => leaf('ChildHealthCheck', id))),
    leaf('EnableSNI', c.enableSNI),
    c.regions === undefined ? '' : node('Regions', ...c.regions.map((r) => leaf('Region', r))),
    c.alarmIdentifier === undefined ? '' : node('AlarmIdentifier', leaf('Region', c.alarmIdentifier.region), leaf('Name', c.alarmIdentifier.name)),
    leaf('InsufficientDataHealthStatus', c.insufficientDataHealthStatus),
  );
}

export function renderHealthCheck(hc: HealthCheck): string {
  return node(
    'HealthCheck',
    leaf('Id', hc.id),
    leaf('CallerReference', hc.callerReference),
    renderHealthCheckConfig(hc.config),
    leaf('HealthCheckVersion', hc.version),
  );
}

export function renderTagSet(resourceType: string, resourceId: string, tags: Record<string, string>): string {
  return node(
    'ResourceTagSet',
    leaf('ResourceType', resourceType),
    leaf('ResourceId', resourceId),
    node('Tags', ...Object.entries(tags).map(([k, v]) => node('Tag', leaf('Key', k), leaf('Value', v)))),
  );
}
