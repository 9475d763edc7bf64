// The function's one Route 53 adapter: the DNS port and the health source share it (and
// so its client and, like every adapter of the process, the one Route 53 rate limiter).
import { createRoute53Client, Route53Adapter } from '../../aws/route53.ts';

const adapters = new WeakMap<NodeJS.ProcessEnv, Route53Adapter>();

export function route53FromEnv(env: NodeJS.ProcessEnv): Route53Adapter {
  let adapter = adapters.get(env);
  if (adapter === undefined) adapters.set(env, (adapter = new Route53Adapter({ client: createRoute53Client({}, env) })));
  return adapter;
}
