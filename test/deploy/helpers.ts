// Shared fixtures of the deploy tests: a plan built from test/deploy/fixtures the way
// the stack builds it from the checkout.
import { join, resolve } from 'node:path';
import { readDeploySources, fleetFileName, type DeploySources } from '../../stacks/inputs.ts';
import { describeDeployment, type DeployContext, type DeploymentSpec, type DeployInputs } from '../../stacks/deployment.ts';
import { parseRegistry } from '../../stacks/registry.ts';
import { FUNCTIONS } from './fixtures/registry.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(import.meta.dirname, 'fixtures');

export const CONTEXT: DeployContext = { app: 'switchyard', stage: 'dev', partition: 'aws', region: 'eu-central-1', accountId: '111111111111' };

/** The fixture checkout: fleet/, functions/ and workflows/ under test/deploy/fixtures. */
export async function fixtureSources(): Promise<DeploySources> {
  return readDeploySources(FIXTURES, parseRegistry(FUNCTIONS), { SWITCHYARD_FLEET: 'fleet' });
}

export async function fixtureInputs(overrides: Partial<DeployInputs> = {}): Promise<DeployInputs> {
  const sources = await fixtureSources();
  return {
    fleet: sources.fleet.config,
    fleetFileName: fleetFileName(sources.fleet),
    registry: sources.registry,
    workflows: sources.workflows,
    zoneIds: { 'example.com': 'Z0EXAMPLE1', 'internal.example.org': 'Z0INTERNAL2' },
    ...overrides,
  };
}

export async function fixturePlan(overrides: Partial<DeployInputs> = {}, context: Partial<DeployContext> = {}): Promise<DeploymentSpec> {
  return describeDeployment({ ...CONTEXT, ...context }, await fixtureInputs(overrides));
}
