// fast-check arbitraries the DNS property tests share (plan, scoped reads).
import fc from 'fast-check';
import type { RoutingAnnotations } from '../../../src/core/model.ts';

/** An app's routing annotations: any routing policy, any subset of the keys. */
export const routingAnnotations = fc.record(
  {
    routing: fc.constantFrom('weighted', 'failover', 'latency', 'simple'),
    failover: fc.constantFrom('primary', 'secondary'),
    weight: fc.integer({ min: 0, max: 255 }),
    healthPath: fc.constantFrom('/healthz', '/ready'),
    enabled: fc.boolean(),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<RoutingAnnotations>;
