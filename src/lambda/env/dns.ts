// The DNS port over Route 53 (the Route 53 adapter: zones, record sets, health checks, changes).
import { route53Dns } from '../../app/dns/route53-dns.ts';
import type { PortBuilder } from './build-deps.ts';
import { route53FromEnv } from './route53.ts';

export const dnsFromEnv: PortBuilder<'dns'> = ({ env, fleet }) => route53Dns({ fleet: fleet.config, route53: route53FromEnv(env) });
