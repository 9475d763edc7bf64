// Alias hosted-zone ids of Elastic Load Balancing, per region and load-balancer kind. Pure.
//
// An alias record to a load balancer must name the load balancer's own hosted zone, which
// depends on the region and on the kind: Network Load Balancers have one zone per region,
// Application and Classic Load Balancers share another. Source: the "Route 53 Hosted Zone
// ID" columns of AWS's "Elastic Load Balancing endpoints and quotas" page
// (docs.aws.amazon.com/general/latest/gr/elb.html), cross-checked against two independent
// public tables. A region missing here is an error for the endpoint, never a guess.
import type { AliasTarget } from './model.ts';

export interface ElbAliasZones {
  /** Application and Classic Load Balancers: `<name>-<id>.<region>.elb.amazonaws.com`. */
  albClb: string;
  /** Network Load Balancers: `<name>-<hash>.elb.<region>.amazonaws.com`. */
  nlb: string;
}

export const ELB_ALIAS_ZONES: Readonly<Record<string, ElbAliasZones>> = Object.freeze({
  'af-south-1': { albClb: 'Z268VQBMOI5EKX', nlb: 'Z203XCE67M25HM' },
  'ap-east-1': { albClb: 'Z3DQVH9N71FHZ0', nlb: 'Z12Y7K3UBGUAD1' },
  'ap-east-2': { albClb: 'Z02789141MW7T1WBU19PO', nlb: 'Z09176273OC2HWIAUNYW' },
  'ap-northeast-1': { albClb: 'Z14GRHDCWA56QT', nlb: 'Z31USIVHYNEOWT' },
  'ap-northeast-2': { albClb: 'ZWKZPGTI48KDX', nlb: 'ZIBE1TIR4HY56' },
  'ap-northeast-3': { albClb: 'Z5LXEXXYW11ES', nlb: 'Z1GWIQ4HH19I5X' },
  'ap-south-1': { albClb: 'ZP97RAFLXTNZK', nlb: 'ZVDDRBQ08TROA' },
  'ap-south-2': { albClb: 'Z0173938T07WNTVAEPZN', nlb: 'Z0711778386UTO08407HT' },
  'ap-southeast-1': { albClb: 'Z1LMS91P8CMLE5', nlb: 'ZKVM4W9LS7TM' },
  'ap-southeast-2': { albClb: 'Z1GM3OXH4ZPM65', nlb: 'ZCT6FZBF4DROD' },
  'ap-southeast-3': { albClb: 'Z08888821HLRG5A9ZRTER', nlb: 'Z01971771FYVNCOVWJU1G' },
  'ap-southeast-4': { albClb: 'Z09517862IB2WZLPXG76F', nlb: 'Z01156963G8MIIL7X90IV' },
  'ap-southeast-5': { albClb: 'Z06010284QMVVW7WO5J', nlb: 'Z026317210H9ACVTRO6FB' },
  'ap-southeast-6': { albClb: 'Z023301818UFJ50CIO0MV', nlb: 'Z01392953RKV2Q3RBP0KU' },
  'ap-southeast-7': { albClb: 'Z0390008CMBRTHFGWBCB', nlb: 'Z054363131YWATEMWRG5L' },
  'ca-central-1': { albClb: 'ZQSVJUPU6J1EY', nlb: 'Z2EPGBW3API2WT' },
  'ca-west-1': { albClb: 'Z06473681N0SF6OS049SD', nlb: 'Z02754302KBB00W2LKWZ9' },
  'cn-north-1': { albClb: 'Z1GDH35T77C1KE', nlb: 'Z3QFB96KMJ7ED6' },
  'cn-northwest-1': { albClb: 'ZM7IZAIOVVDZF', nlb: 'ZQEIKTCZ8352D' },
  'eu-central-1': { albClb: 'Z215JYRZR1TBD5', nlb: 'Z3F0SRJ5LGBH90' },
  'eu-central-2': { albClb: 'Z06391101F2ZOEP8P5EB3', nlb: 'Z02239872DOALSIDCX66S' },
  'eu-north-1': { albClb: 'Z23TAZ6LKFMNIO', nlb: 'Z1UDT6IFJ4EJM' },
  'eu-south-1': { albClb: 'Z3ULH7SSC9OV64', nlb: 'Z23146JA1KNAFP' },
  'eu-south-2': { albClb: 'Z0956581394HF5D5LXGAP', nlb: 'Z1011216NVTVYADP1SSV' },
  'eu-west-1': { albClb: 'Z32O12XQLNTSW2', nlb: 'Z2IFOLAFXWLO4F' },
  'eu-west-2': { albClb: 'ZHURV8PSTC4K8', nlb: 'ZD4D7Y8KGAS4G' },
  'eu-west-3': { albClb: 'Z3Q77PNBQS71R4', nlb: 'Z1CMS0P5QUZ6D5' },
  'il-central-1': { albClb: 'Z09170902867EHPV2DABU', nlb: 'Z0313266YDI6ZRHTGQY4' },
  'me-central-1': { albClb: 'Z08230872XQRWHG2XF6I', nlb: 'Z00282643NTTLPANJJG2P' },
  'me-south-1': { albClb: 'ZS929ML54UICD', nlb: 'Z3QSRYVP46NYYV' },
  'mx-central-1': { albClb: 'Z023552324OKD1BB28BH5', nlb: 'Z02031231H3ID6HYJ9A7U' },
  'sa-east-1': { albClb: 'Z2P70J7HTTTPLU', nlb: 'ZTK26PT1VY4CU' },
  'us-east-1': { albClb: 'Z35SXDOTRQ7X7K', nlb: 'Z26RNL4JYFTOTI' },
  'us-east-2': { albClb: 'Z3AADJGX6KTTL2', nlb: 'ZLMOA37VPKANP' },
  'us-gov-east-1': { albClb: 'Z166TLBEWOO7G0', nlb: 'Z1ZSMQQ6Q24QQ8' },
  'us-gov-west-1': { albClb: 'Z33AYJ8TM3BH4J', nlb: 'ZMG1MZ2THAWF1' },
  'us-west-1': { albClb: 'Z368ELLRRE2KJ0', nlb: 'Z24FKFUX50B4VW' },
  'us-west-2': { albClb: 'Z1H1FL5HABSF5', nlb: 'Z18D5FSROUN65G' },
});

export type LoadBalancerKind = 'nlb' | 'alb-clb';

export interface LoadBalancerName {
  /** Lower-case, no trailing dot, as given (with any `dualstack.` prefix). */
  hostname: string;
  kind: LoadBalancerKind;
  region: string;
  /** The name starts with `dualstack.` (ALB/CLB form that answers AAAA as well as A). */
  dualstackPrefix: boolean;
  /** An internal (VPC-only) load balancer: `internal-<name>...`. */
  internal: boolean;
  aliasHostedZoneId: string;
}

const REGION = '([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d+)';
const PARTITION = 'amazonaws\\.com(?:\\.cn)?';
// NLB: <name>-<hash>.elb.<region>.amazonaws.com[.cn]
const NLB = new RegExp(`^((?:[a-z0-9-]+\\.)*)[a-z0-9-]+\\.elb\\.${REGION}\\.${PARTITION}$`);
// ALB/CLB: [dualstack.][internal-]<name>-<id>.<region>.elb.amazonaws.com[.cn]
const ALB_CLB = new RegExp(`^((?:[a-z0-9-]+\\.)*)[a-z0-9-]+\\.${REGION}\\.elb\\.${PARTITION}$`);

/** Reads an Elastic Load Balancing DNS name; undefined when it is not one in a known region. */
export function parseLoadBalancerHostname(hostname: string): LoadBalancerName | undefined {
  const name = hostname.trim().toLowerCase().replace(/\.$/, '');
  const nlb = NLB.exec(name);
  const albClb = nlb ? null : ALB_CLB.exec(name);
  const match = nlb ?? albClb;
  if (!match) return undefined;
  const prefixLabels = match[1] ?? '';
  const region = match[2] ?? '';
  // Only a `dualstack.` prefix may precede the load balancer's own label.
  if (prefixLabels !== '' && prefixLabels !== 'dualstack.') return undefined;
  // China regions live in the .amazonaws.com.cn partition, and only there.
  if (region.startsWith('cn-') !== name.endsWith('.amazonaws.com.cn')) return undefined;
  const zones = ELB_ALIAS_ZONES[region];
  if (!zones) return undefined;
  const kind: LoadBalancerKind = nlb ? 'nlb' : 'alb-clb';
  const ownLabel = name.slice(prefixLabels.length);
  return {
    hostname: name,
    kind,
    region,
    dualstackPrefix: prefixLabels === 'dualstack.',
    internal: ownLabel.startsWith('internal-'),
    aliasHostedZoneId: kind === 'nlb' ? zones.nlb : zones.albClb,
  };
}

export type AliasTargetResult = { ok: true; aliasTarget: AliasTarget; loadBalancer: LoadBalancerName; dualStack: boolean } | { ok: false; reason: string };

/**
 * The alias target for a cluster entry point. `dualStack` (from the cluster config, or a
 * `dualstack.` name) means AAAA is published too; an ALB/CLB target then gets the
 * `dualstack.` prefix, which is the name that answers AAAA (NLB names answer both).
 */
export function aliasTargetFor(entryPoint: string, options: { dualStack: boolean; evaluateTargetHealth: boolean }): AliasTargetResult {
  const loadBalancer = parseLoadBalancerHostname(entryPoint);
  if (!loadBalancer) {
    return {
      ok: false,
      reason:
        `entry point "${entryPoint}" is not an Elastic Load Balancing DNS name in a known region ` +
        '(expected <name>-<hash>.elb.<region>.amazonaws.com for an NLB or <name>-<id>.<region>.elb.amazonaws.com for an ALB/CLB)',
    };
  }
  const dualStack = options.dualStack || loadBalancer.dualstackPrefix;
  const dnsName = dualStack && loadBalancer.kind === 'alb-clb' && !loadBalancer.dualstackPrefix ? `dualstack.${loadBalancer.hostname}` : loadBalancer.hostname;
  return {
    ok: true,
    loadBalancer,
    dualStack,
    aliasTarget: { hostedZoneId: loadBalancer.aliasHostedZoneId, dnsName: `${dnsName}.`, evaluateTargetHealth: options.evaluateTargetHealth },
  };
}
