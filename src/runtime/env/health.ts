// Health from each cluster's canary health check and the alarm states in the state table.
import { route53HealthSource } from '../../aws/health-source.ts';
import { createRoute53Client, Route53Adapter } from '../../aws/route53.ts';
import type { PortBuilder } from './deps.ts';

export const healthFromEnv: PortBuilder<'health'> = ({ env, fleet, built }) => {
  if (!built.table) throw new Error('the health port needs the table port');
  const client = createRoute53Client({}, env);
  return route53HealthSource({ fleet: fleet.config, route53: new Route53Adapter({ client }), client, table: built.table });
};
