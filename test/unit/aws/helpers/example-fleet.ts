// The example fleet (examples/fleet) as test input: its config and endpoints file.
import { readFileSync } from 'node:fs';
import { parseEndpointsFile } from '../../../../src/aws/endpoints-file.ts';
import type { EndpointSource } from '../../../../src/core/ports.ts';
import { parseFleetConfig, type FleetConfig } from '../../../../src/core/config.ts';
import type { Problem, PublishedEndpoint } from '../../../../src/core/model.ts';

export const exampleFleet: FleetConfig = parseFleetConfig(readFileSync('examples/fleet/fleet.yaml', 'utf8'), 'examples/fleet/fleet.yaml');

export function exampleEndpoints(fleet: FleetConfig = exampleFleet): PublishedEndpoint[] {
  return parseEndpointsFile(readFileSync('examples/fleet/endpoints.yaml', 'utf8'), 'examples/fleet/endpoints.yaml', fleet).endpoints;
}

export function staticSource(endpoints: PublishedEndpoint[], problems: Problem[] = []): EndpointSource {
  return { description: 'test endpoints', list: async () => ({ endpoints: structuredClone(endpoints), problems, unreachable: [] }) };
}
