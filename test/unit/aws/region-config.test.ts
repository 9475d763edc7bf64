// Which region a regional client gets: the flag, else the SDK's chain (AWS_REGION, then the
// profile's region), never a fallback that overrides the profile.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionConfig } from '../../../src/aws/route53.ts';
import { opsClients } from '../../../src/cli/ops/context.ts';

describe('regionConfig', () => {
  it.each([
    ['the flag wins', 'eu-west-1', undefined, { AWS_REGION: 'us-west-2' }, { region: 'eu-west-1' }],
    ['AWS_REGION is left to the SDK', undefined, undefined, { AWS_REGION: 'us-west-2' }, {}],
    ['AWS_DEFAULT_REGION counts when AWS_REGION is unset', undefined, undefined, { AWS_DEFAULT_REGION: 'ap-south-1' }, { region: 'ap-south-1' }],
    ['a profile region is not overridden', undefined, undefined, { AWS_PROFILE: 'prod' }, {}],
    ['nothing configured, AWS: left to the SDK (which says the region is missing)', undefined, undefined, {}, {}],
    ['nothing configured, loopback endpoint: us-east-1', undefined, 'http://127.0.0.1:4566', {}, { region: 'us-east-1' }],
    ['loopback endpoint with a profile: the profile', undefined, 'http://127.0.0.1:4566', { AWS_PROFILE: 'local' }, {}],
  ] as const)('%s', (_name, flag, endpoint, env, expected) => {
    expect(regionConfig(flag, endpoint, env as NodeJS.ProcessEnv)).toEqual(expected);
  });
});

describe('opsClients with a profile', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'switchyard-profile-'));
    await writeFile(join(folder, 'config'), '[profile fleet-admin]\nregion = eu-central-1\n');
    await writeFile(join(folder, 'credentials'), '[fleet-admin]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n');
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it("uses the profile's region for Step Functions and DynamoDB (a us-east-1 fallback used to override it)", async () => {
    // Prepare
    const env = { AWS_PROFILE: 'fleet-admin', AWS_CONFIG_FILE: join(folder, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(folder, 'credentials') };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      // Act
      const clients = opsClients({}, env);
      // Assess
      expect(await clients.sfn.config.region()).toBe('eu-central-1');
      expect(await clients.dynamodb.config.region()).toBe('eu-central-1');
      clients.destroy();
    } finally {
      process.env = saved;
    }
  });

  it('a --region flag still wins over the profile', async () => {
    const clients = opsClients({ region: 'us-west-2' }, {});
    expect(await clients.sfn.config.region()).toBe('us-west-2');
    clients.destroy();
  });
});
