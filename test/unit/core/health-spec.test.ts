import { describe, expect, it } from 'vitest';
import { healthCheckDefaultsSchema } from '../../../src/core/config.ts';
import {
  healthCheckCallerReference,
  healthCheckConfigFor,
  healthCheckKey,
  healthCheckKeyFromTags,
  healthCheckSpecFor,
  healthCheckTags,
  isOwnedHealthCheck,
} from '../../../src/core/health-spec.ts';

const defaults = healthCheckDefaultsSchema.parse({});
const cluster = { canaryHostname: 'Canary-East.example.com' };

describe('healthCheckSpecFor', () => {
  it('probes the cluster canary with the fleet defaults', () => {
    expect(healthCheckSpecFor(defaults, cluster, {})).toEqual({
      protocol: 'HTTP',
      fqdn: 'canary-east.example.com',
      port: 80,
      path: '/status/200',
      intervalSeconds: 30,
      failureThreshold: 3,
    });
  });

  it('lets health-* annotations override protocol, port and path', () => {
    const spec = healthCheckSpecFor(defaults, cluster, { healthProtocol: 'HTTPS', healthPort: 8443, healthPath: '/healthz' });
    expect(spec).toMatchObject({ protocol: 'HTTPS', port: 8443, path: '/healthz' });
  });

  it('has no path for TCP checks', () => {
    const spec = healthCheckSpecFor(defaults, cluster, { healthProtocol: 'TCP', healthPath: '/ignored' });
    expect(spec.path).toBeUndefined();
    expect(healthCheckConfigFor(spec)).toEqual({
      Type: 'TCP',
      FullyQualifiedDomainName: 'canary-east.example.com',
      Port: 80,
      RequestInterval: 30,
      FailureThreshold: 3,
    });
  });
});

describe('healthCheckKey', () => {
  const spec = healthCheckSpecFor(defaults, cluster, {});

  it('is a stable 16-hex-digit hash: equal specs share one check', () => {
    const key = healthCheckKey('east', spec);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(healthCheckKey('east', { ...spec })).toBe(key);
    expect(
      healthCheckKey('east', { failureThreshold: 3, intervalSeconds: 30, path: '/status/200', port: 80, fqdn: 'canary-east.example.com', protocol: 'HTTP' }),
    ).toBe(key);
  });

  it('differs per cluster and per setting', () => {
    const key = healthCheckKey('east', spec);
    expect(healthCheckKey('west', spec)).not.toBe(key);
    expect(healthCheckKey('east', { ...spec, port: 81 })).not.toBe(key);
    expect(healthCheckKey('east', { ...spec, path: '/other' })).not.toBe(key);
  });
});

describe('health-check ownership', () => {
  it('marks owned checks with owner and key tags', () => {
    const tags = healthCheckTags('fleet-a', 'abc123', 'east', healthCheckSpecFor(defaults, cluster, {}));
    expect(isOwnedHealthCheck(tags, 'fleet-a')).toBe(true);
    expect(isOwnedHealthCheck(tags, 'fleet-b')).toBe(false);
    expect(isOwnedHealthCheck(undefined, 'fleet-a')).toBe(false);
    expect(isOwnedHealthCheck([{ Key: 'Name', Value: 'fleet-a' }], 'fleet-a')).toBe(false);
    expect(healthCheckKeyFromTags(tags)).toBe('abc123');
    expect(tags.find((t) => t.Key === 'Name')?.Value).toBe('switchyard east http://canary-east.example.com:80/status/200');
  });

  it('builds CallerReference <ownerId>-<key>, at most 64 characters', () => {
    expect(healthCheckCallerReference('fleet-a', '0123456789abcdef')).toBe('fleet-a-0123456789abcdef');
    expect(healthCheckCallerReference('fleet-a', '0123456789abcdef', '2')).toBe('fleet-a-0123456789abcdef-2');
    const long = healthCheckCallerReference('o'.repeat(63), '0123456789abcdef');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[0-9a-f]{12}-0123456789abcdef$/);
    expect(healthCheckCallerReference('o'.repeat(63), '0123456789abcdef')).toBe(long);
  });

  it('rejects an empty owner or key, and a generation too long to fit', () => {
    expect(() => healthCheckCallerReference('', 'k')).toThrow(/needs an owner id and a key/);
    expect(() => healthCheckCallerReference('o', 'k'.repeat(16), 'g'.repeat(60))).toThrow(/longer than 64/);
  });

  it('turns HTTPS specs into SNI-enabled configs', () => {
    const spec = healthCheckSpecFor(defaults, cluster, { healthProtocol: 'HTTPS' });
    expect(healthCheckConfigFor(spec)).toMatchObject({ Type: 'HTTPS', ResourcePath: '/status/200', EnableSNI: true });
  });
});
