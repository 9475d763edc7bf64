// Health from each cluster's canary health check and the alarm states in the state table.
import { route53HealthSource } from '../../aws/health-source.ts';
import type { PortBuilder } from './build-deps.ts';
import { route53FromEnv } from './route53.ts';

export const healthFromEnv: PortBuilder<'health'> = ({ env, fleet, built }) => {
  if (!built.table) throw new Error('the health port needs the table port');
  return route53HealthSource({ fleet: fleet.config, route53: route53FromEnv(env), table: built.table });
};
