// The fleet's deploy-only settings: the agent's IRSA issuer, private-cluster networking,
// notification emails and tracing (docs/deploy.md).
import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../src/core/config.ts';
import { ConfigError } from '../../../src/core/errors.ts';

const fleet = (cluster: string, top = '') => `
ownerId: test
zones: [{ name: example.com }]
${top}
clusters:
  - name: east
    region: us-east-1
    eksClusterName: east
    canaryHostname: canary-east.example.com
    domainFilter: [example.com]
${cluster}
`;

function issuesOf(text: string): string[] {
  try {
    parseFleetConfig(text, 'fleet.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('deploy settings in fleet.yaml', () => {
  it('leaves them off by default: no network, no notifications, tracing off', () => {
    const config = parseFleetConfig(fleet(''), 'fleet.yaml');
    expect(config.network).toBeUndefined();
    expect(config.notifications).toBeUndefined();
    expect(config.tracing).toBe(false);
    expect(config.clusters[0]!.oidcIssuer).toBeUndefined();
  });

  it('reads the OIDC issuer without its trailing slash, the network, the emails and tracing', () => {
    const config = parseFleetConfig(
      fleet(
        '    oidcIssuer: https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE/',
        'network: { subnetIds: [subnet-0123456789abcdef0], securityGroupIds: [sg-0123456789abcdef0] }\nnotifications: { emails: [ops@example.com] }\ntracing: true',
      ),
      'fleet.yaml',
    );
    expect(config.clusters[0]!.oidcIssuer).toBe('https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE');
    expect(config.network).toEqual({ subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] });
    expect(config.notifications).toEqual({ emails: ['ops@example.com'] });
    expect(config.tracing).toBe(true);
  });

  it('names each bad value and why', () => {
    const issues = issuesOf(
      fleet('    oidcIssuer: http://oidc.example.com', 'network: { subnetIds: [], securityGroupIds: [vpc-123] }\nnotifications: { emails: [not-an-address] }'),
    );
    expect(issues).toEqual([
      expect.stringMatching(/^clusters\[0\]\.oidcIssuer: must be an https:\/\/ OIDC issuer URL/),
      expect.stringMatching(/^network\.subnetIds: .*(at least 1|>=1)/),
      expect.stringMatching(/^network\.securityGroupIds\[0\]: must be a security group id/),
      expect.stringMatching(/^notifications\.emails\[0\]: must be an email address/),
    ]);
  });
});
