// The DNS port over Route 53 (the Route 53 adapter: zones, record sets, health checks, changes).
import { createRoute53Client, Route53Adapter } from '../../aws/route53.ts';
import { route53Dns } from '../dns.ts';
import type { PortBuilder } from './deps.ts';

export const dnsFromEnv: PortBuilder<'dns'> = ({ env, fleet }) => route53Dns({ fleet: fleet.config, route53: new Route53Adapter({ client: createRoute53Client({}, env) }) });
