// A gateway's entry point: the load-balancer DNS name of the Service in front of the
// gateway workload (`status.loadBalancer.ingress[].hostname`), unless the fleet config
// pins the cluster's entry point. Pure: works over the Services already read.
import { isRecord, namespaceOf, nameOf, refOf, selectorMatches, stringMap, type KubeObject } from '../kube.ts';
import { normalizeHostname } from './hostnames.ts';

export type EntryPointResult = { entryPoint: string } | { reason: string };

export interface EntryPointResolver {
  /** Istio and Tetrate gateways: the Service whose selector picks the gateway workload. */
  bySelector(selector: Record<string, string> | undefined, where: { namespace?: string; preferNamespace?: string }): EntryPointResult;
  /** Gateway API: `status.addresses`, else the Service its implementation created for it. */
  forGateway(gateway: KubeObject): EntryPointResult;
}

/** Labels Gateway API implementations put on the Service they create for a Gateway. */
const GATEWAY_SERVICE_LABELS = ['gateway.networking.k8s.io/gateway-name', 'istio.io/gateway-name'] as const;
const ENVOY_GATEWAY_NAME = 'gateway.envoyproxy.io/owning-gateway-name';
const ENVOY_GATEWAY_NAMESPACE = 'gateway.envoyproxy.io/owning-gateway-namespace';

export function entryPointResolver(services: readonly KubeObject[], pinned?: string): EntryPointResolver {
  if (pinned !== undefined) {
    const fixed = { entryPoint: pinned };
    return { bySelector: () => fixed, forGateway: () => fixed };
  }
  return {
    bySelector: (selector, where) => bySelector(services, selector, where),
    forGateway: (gateway) => forGateway(services, gateway),
  };
}

/** The load-balancer hostname of one Service, or why it has none. */
export function serviceEntryPoint(service: KubeObject): EntryPointResult {
  const spec = isRecord(service.spec) ? service.spec : {};
  const status = isRecord(service.status) ? service.status : {};
  const loadBalancer = isRecord(status['loadBalancer']) ? status['loadBalancer'] : {};
  const ingress = Array.isArray(loadBalancer['ingress']) ? loadBalancer['ingress'].filter(isRecord) : [];
  const hostnames = ingress.map((entry) => entry['hostname']).filter((h): h is string => typeof h === 'string' && h !== '');
  const ref = `Service ${refOf(service)}`;
  if (hostnames.length > 0) {
    const result = normalizeHostname(hostnames[0] as string);
    return 'hostname' in result ? { entryPoint: result.hostname } : { reason: `${ref}: load-balancer ${result.reason}` };
  }
  const type = typeof spec['type'] === 'string' ? spec['type'] : 'ClusterIP';
  if (type !== 'LoadBalancer') return { reason: `${ref} is of type ${type}, not LoadBalancer, so it has no load-balancer hostname` };
  const ips = ingress.map((entry) => entry['ip']).filter((ip): ip is string => typeof ip === 'string');
  if (ips.length > 0) {
    return { reason: `${ref} has only IP addresses in status.loadBalancer.ingress (${ips.join(', ')}); an alias record needs a load-balancer DNS name` };
  }
  return { reason: `${ref} has no status.loadBalancer.ingress hostname yet (is its load balancer provisioned?)` };
}

function formatSelector(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** One entry point from several candidate Services, preferring `preferNamespace` when they disagree. */
function pick(candidates: readonly KubeObject[], preferNamespace: string | undefined, what: string): EntryPointResult {
  const results = candidates.map((service) => ({ service, result: serviceEntryPoint(service) }));
  const found = results.filter((r): r is { service: KubeObject; result: { entryPoint: string } } => 'entryPoint' in r.result);
  if (found.length === 0) {
    return { reason: results.map((r) => ('reason' in r.result ? r.result.reason : '')).join('; ') };
  }
  const distinct = (list: typeof found) => [...new Set(list.map((r) => r.result.entryPoint))];
  if (distinct(found).length === 1) return found[0]!.result;
  const preferred = found.filter((r) => namespaceOf(r.service) === preferNamespace);
  if (preferred.length > 0 && distinct(preferred).length === 1) return preferred[0]!.result;
  return {
    reason: `several Services ${what} with different load balancers: ${found.map((r) => `${refOf(r.service)} (${r.result.entryPoint})`).join(', ')}`,
  };
}

function bySelector(
  services: readonly KubeObject[],
  selector: Record<string, string> | undefined,
  where: { namespace?: string; preferNamespace?: string },
): EntryPointResult {
  if (!selector || Object.keys(selector).length === 0) {
    return { reason: 'has no workload selector, so its gateway Service cannot be found' };
  }
  const candidates = services.filter((service) => {
    if (where.namespace !== undefined && namespaceOf(service) !== where.namespace) return false;
    const serviceSelector = stringMap(isRecord(service.spec) ? service.spec['selector'] : undefined);
    return serviceSelector !== undefined && Object.keys(serviceSelector).length > 0 && selectorMatches(selector, serviceSelector);
  });
  const scope = where.namespace === undefined ? '' : ` in namespace ${where.namespace}`;
  if (candidates.length === 0) return { reason: `gateway Service not found: no Service${scope} selects the gateway workload (${formatSelector(selector)})` };
  return pick(candidates, where.preferNamespace, `select the gateway workload (${formatSelector(selector)})`);
}

/** In-cluster DNS names (`svc.ns.svc.cluster.local`) name a Service, not a load balancer. */
const CLUSTER_LOCAL = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/;

function forGateway(services: readonly KubeObject[], gateway: KubeObject): EntryPointResult {
  const status = isRecord(gateway.status) ? gateway.status : {};
  const spec = isRecord(gateway.spec) ? gateway.spec : {};
  const hostnameAddresses = (list: unknown) =>
    (Array.isArray(list) ? list.filter(isRecord) : [])
      .filter((a) => a['type'] === 'Hostname' && typeof a['value'] === 'string')
      .map((a) => String(a['value']).toLowerCase().replace(/\.$/, ''));

  const published = hostnameAddresses(status['addresses']).find((h) => !CLUSTER_LOCAL.test(h));
  if (published !== undefined) {
    const result = normalizeHostname(published);
    if ('hostname' in result) return { entryPoint: result.hostname };
  }

  // Istio "manual deployment": spec.addresses names the gateway Service by its cluster-local name.
  const named = [...hostnameAddresses(spec['addresses']), ...hostnameAddresses(status['addresses'])].map((h) => CLUSTER_LOCAL.exec(h)).find((m) => m !== null);
  if (named) {
    const service = services.find((s) => nameOf(s) === named[1] && namespaceOf(s) === named[2]);
    return service ? serviceEntryPoint(service) : { reason: `gateway Service ${named[2]}/${named[1]} (from its addresses) not found` };
  }

  const name = nameOf(gateway);
  const namespace = namespaceOf(gateway);
  const labelled = services.filter((s) => {
    const labels = s.metadata?.labels;
    if (namespaceOf(s) === namespace && GATEWAY_SERVICE_LABELS.some((key) => labels?.[key] === name)) return true;
    return labels?.[ENVOY_GATEWAY_NAME] === name && labels?.[ENVOY_GATEWAY_NAMESPACE] === namespace;
  });
  if (labelled.length === 0) {
    return {
      reason: `gateway Service not found: no load-balancer hostname in status.addresses and no Service labelled ${GATEWAY_SERVICE_LABELS[0]}=${name} in namespace ${namespace}`,
    };
  }
  return pick(labelled, namespace, `belong to the Gateway`);
}
