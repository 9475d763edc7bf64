import { describe, expect, it } from 'vitest';
import { aliasTargetFor, ELB_ALIAS_ZONES, parseLoadBalancerHostname } from '../../../src/core/alias-zones.ts';

describe('parseLoadBalancerHostname', () => {
  it.each([
    // [hostname, kind, region, alias zone]
    ['k8s-istio-ingress-1a2b3c.elb.us-east-1.amazonaws.com', 'nlb', 'us-east-1', 'Z26RNL4JYFTOTI'],
    ['my-alb-1234567890.us-east-1.elb.amazonaws.com', 'alb-clb', 'us-east-1', 'Z35SXDOTRQ7X7K'],
    ['internal-my-alb-1234567890.eu-west-1.elb.amazonaws.com', 'alb-clb', 'eu-west-1', 'Z32O12XQLNTSW2'],
    ['dualstack.my-clb-1234567890.ap-southeast-2.elb.amazonaws.com', 'alb-clb', 'ap-southeast-2', 'Z1GM3OXH4ZPM65'],
    ['net-lb-0123456789abcdef.elb.cn-north-1.amazonaws.com.cn', 'nlb', 'cn-north-1', 'Z3QFB96KMJ7ED6'],
    ['app-lb-1.cn-northwest-1.elb.amazonaws.com.cn', 'alb-clb', 'cn-northwest-1', 'ZM7IZAIOVVDZF'],
    ['gov-nlb-1.elb.us-gov-west-1.amazonaws.com', 'nlb', 'us-gov-west-1', 'ZMG1MZ2THAWF1'],
    ['gov-alb-1.us-gov-east-1.elb.amazonaws.com', 'alb-clb', 'us-gov-east-1', 'Z166TLBEWOO7G0'],
    ['NLB-UPPER-1.ELB.EU-CENTRAL-2.AMAZONAWS.COM.', 'nlb', 'eu-central-2', 'Z02239872DOALSIDCX66S'],
  ])('%s → %s in %s (%s)', (hostname, kind, region, zone) => {
    const parsed = parseLoadBalancerHostname(hostname);
    expect(parsed).toMatchObject({ kind, region, aliasHostedZoneId: zone });
  });

  it('tells internal and dualstack names apart', () => {
    expect(parseLoadBalancerHostname('internal-a-1.us-east-2.elb.amazonaws.com')).toMatchObject({ internal: true, dualstackPrefix: false });
    expect(parseLoadBalancerHostname('dualstack.internal-a-1.us-east-2.elb.amazonaws.com')).toMatchObject({ internal: true, dualstackPrefix: true });
  });

  it.each([
    ['an unknown region', 'lb-1.elb.xx-nowhere-9.amazonaws.com'],
    ['a China region outside the .cn partition', 'lb-1.elb.cn-north-1.amazonaws.com'],
    ['a global region in the .cn partition', 'lb-1.elb.us-east-1.amazonaws.com.cn'],
    ['a CloudFront name', 'd111111abcdef8.cloudfront.net'],
    ['an arbitrary host', 'ingress.example.com'],
    ['extra labels before the load balancer', 'foo.bar.lb-1.us-east-1.elb.amazonaws.com'],
  ])('rejects %s', (_, hostname) => {
    expect(parseLoadBalancerHostname(hostname)).toBeUndefined();
  });

  it('has both kinds for every region, and ids that look like hosted-zone ids', () => {
    for (const [region, zones] of Object.entries(ELB_ALIAS_ZONES)) {
      expect(region).toMatch(/^[a-z]{2}(-gov)?-[a-z]+-\d$/);
      expect(zones.albClb).toMatch(/^Z[A-Z0-9]{8,31}$/);
      expect(zones.nlb).toMatch(/^Z[A-Z0-9]{8,31}$/);
      expect(zones.albClb).not.toBe(zones.nlb);
    }
    expect(Object.keys(ELB_ALIAS_ZONES).length).toBeGreaterThanOrEqual(38);
  });
});

describe('aliasTargetFor', () => {
  it('targets the NLB name as is, lower-case with a trailing dot', () => {
    const result = aliasTargetFor('Nlb-1.elb.us-east-1.amazonaws.com', { dualStack: true, evaluateTargetHealth: true });
    expect(result).toMatchObject({
      ok: true,
      dualStack: true,
      aliasTarget: { hostedZoneId: 'Z26RNL4JYFTOTI', dnsName: 'nlb-1.elb.us-east-1.amazonaws.com.', evaluateTargetHealth: true },
    });
  });

  it('prefixes dualstack. for a dual-stack ALB/CLB (the name that answers AAAA)', () => {
    const result = aliasTargetFor('alb-1.us-west-2.elb.amazonaws.com', { dualStack: true, evaluateTargetHealth: false });
    expect(result.ok && result.aliasTarget.dnsName).toBe('dualstack.alb-1.us-west-2.elb.amazonaws.com.');
  });

  it('treats a dualstack. name as dual-stack even when the cluster does not say so', () => {
    const result = aliasTargetFor('dualstack.alb-1.us-west-2.elb.amazonaws.com', { dualStack: false, evaluateTargetHealth: true });
    expect(result).toMatchObject({ ok: true, dualStack: true, aliasTarget: { dnsName: 'dualstack.alb-1.us-west-2.elb.amazonaws.com.' } });
  });

  it('explains an unrecognised entry point', () => {
    const result = aliasTargetFor('ingress.example.com', { dualStack: false, evaluateTargetHealth: true });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/"ingress.example.com" is not an Elastic Load Balancing DNS name/);
  });
});
