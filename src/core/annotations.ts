// `switchyard.io/` annotations on a Gateway (or HTTPRoute) → routing choices.
// Pure. A bad value is a problem for that resource only; the rest still parses.
import { HEALTH_PROTOCOLS, ROUTING_POLICIES, type HealthProtocol, type RoutingAnnotations, type RoutingPolicy } from './model.ts';

export const ANNOTATION_PREFIX = 'switchyard.io/';

export const ANNOTATION_KEYS = ['routing', 'failover', 'weight', 'health-path', 'health-port', 'health-protocol', 'ttl', 'enabled'] as const;

export interface AnnotationResult {
  annotations: RoutingAnnotations;
  /** One line per bad annotation: `switchyard.io/weight: "300" is not an integer 0–255`. */
  problems: string[];
}

function integer(value: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n >= min && n <= max ? n : undefined;
}

/** Reads the `switchyard.io/` keys of a resource's metadata.annotations. */
export function parseAnnotations(raw: Record<string, string | undefined> | undefined): AnnotationResult {
  const annotations: RoutingAnnotations = {};
  const problems: string[] = [];
  if (!raw) return { annotations, problems };
  const bad = (key: string, value: string, why: string) => problems.push(`${ANNOTATION_PREFIX}${key}: "${value}" ${why}`);

  for (const [fullKey, rawValue] of Object.entries(raw)) {
    if (!fullKey.startsWith(ANNOTATION_PREFIX) || rawValue === undefined) continue;
    const key = fullKey.slice(ANNOTATION_PREFIX.length);
    const value = String(rawValue).trim();
    switch (key) {
      case 'routing': {
        const v = value.toLowerCase();
        if ((ROUTING_POLICIES as readonly string[]).includes(v)) annotations.routing = v as RoutingPolicy;
        else bad(key, value, `is not one of ${ROUTING_POLICIES.join(', ')}`);
        break;
      }
      case 'failover': {
        const v = value.toLowerCase();
        if (v === 'primary' || v === 'secondary') annotations.failover = v;
        else bad(key, value, 'is not one of primary, secondary');
        break;
      }
      case 'weight': {
        const n = integer(value, 0, 255);
        if (n === undefined) bad(key, value, 'is not an integer 0–255');
        else annotations.weight = n;
        break;
      }
      case 'health-path':
        if (value.startsWith('/') && value.length <= 255 && !/\s/.test(value)) annotations.healthPath = value;
        else bad(key, value, 'is not a path starting with "/" (at most 255 characters, no spaces)');
        break;
      case 'health-port': {
        const n = integer(value, 1, 65535);
        if (n === undefined) bad(key, value, 'is not a port 1–65535');
        else annotations.healthPort = n;
        break;
      }
      case 'health-protocol': {
        const v = value.toUpperCase();
        if ((HEALTH_PROTOCOLS as readonly string[]).includes(v)) annotations.healthProtocol = v as HealthProtocol;
        else bad(key, value, `is not one of ${HEALTH_PROTOCOLS.join(', ')}`);
        break;
      }
      case 'ttl': {
        const n = integer(value, 0, 2147483647);
        if (n === undefined) bad(key, value, 'is not a non-negative integer of seconds');
        else annotations.ttl = n;
        break;
      }
      case 'enabled': {
        const v = value.toLowerCase();
        if (v === 'true' || v === 'false') annotations.enabled = v === 'true';
        else bad(key, value, 'is not true or false');
        break;
      }
      default:
        problems.push(`${fullKey}: unknown annotation (known: ${ANNOTATION_KEYS.map((k) => ANNOTATION_PREFIX + k).join(', ')})`);
    }
  }
  if (annotations.failover && annotations.routing && annotations.routing !== 'failover') {
    problems.push(`${ANNOTATION_PREFIX}failover is set but ${ANNOTATION_PREFIX}routing is "${annotations.routing}"`);
  }
  return { annotations, problems };
}
