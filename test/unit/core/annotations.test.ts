import { describe, expect, it } from 'vitest';
import { parseAnnotations } from '../../../src/core/annotations.ts';

describe('parseAnnotations', () => {
  it('reads every switchyard.io annotation and ignores others', () => {
    const { annotations, problems } = parseAnnotations({
      'switchyard.io/routing': 'Failover',
      'switchyard.io/failover': 'primary',
      'switchyard.io/weight': '20',
      'switchyard.io/health-path': '/healthz',
      'switchyard.io/health-port': '8443',
      'switchyard.io/health-protocol': 'https',
      'switchyard.io/ttl': '30',
      'switchyard.io/enabled': 'false',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    });
    expect(problems).toEqual([]);
    expect(annotations).toEqual({
      routing: 'failover',
      failover: 'primary',
      weight: 20,
      healthPath: '/healthz',
      healthPort: 8443,
      healthProtocol: 'HTTPS',
      ttl: 30,
      enabled: false,
    });
  });

  it.each([
    ['switchyard.io/weight', '256', /weight: "256" is not an integer 0–255/],
    ['switchyard.io/weight', '-1', /is not an integer/],
    ['switchyard.io/routing', 'geo', /is not one of simple, weighted, failover, latency/],
    ['switchyard.io/failover', 'tertiary', /is not one of primary, secondary/],
    ['switchyard.io/health-path', 'healthz', /is not a path starting with "\/"/],
    ['switchyard.io/health-port', '0', /is not a port/],
    ['switchyard.io/enabled', 'yes', /is not true or false/],
    ['switchyard.io/wieght', '5', /unknown annotation/],
  ])('reports %s=%s and keeps the rest', (key, value, reason) => {
    const { annotations, problems } = parseAnnotations({ [key]: value, 'switchyard.io/ttl': '60' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(reason);
    expect(annotations).toEqual({ ttl: 60 });
  });

  it('flags a failover role on a non-failover routing policy', () => {
    const { problems } = parseAnnotations({ 'switchyard.io/routing': 'weighted', 'switchyard.io/failover': 'primary' });
    expect(problems).toEqual(['switchyard.io/failover is set but switchyard.io/routing is "weighted"']);
  });
});
