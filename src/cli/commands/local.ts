// `switchyard local ...`: Switchyard on this machine, no AWS account needed.
// Each subcommand lives in its own file (local-<name>.ts) and is registered by one
// line in LOCAL_SUBCOMMANDS. The default action (`switchyard local` with no
// subcommand: the whole runtime) is attached in registerLocal by the runtime.
import type { Command } from 'commander';
import { registerLocalFail, registerLocalHeal } from './local-canary.ts';
import { registerLocalRoute53 } from './local-route53.ts';
import { registerLocalRuntime } from './local-runtime.ts';
import { registerLocalTraffic } from './local-traffic.ts';

export type RegisterLocalSubcommand = (local: Command) => void;

export const LOCAL_SUBCOMMANDS: RegisterLocalSubcommand[] = [registerLocalRoute53, registerLocalFail, registerLocalHeal, registerLocalTraffic];

export function registerLocal(program: Command): Command {
  const local = program.command('local').description('run Switchyard locally: the whole runtime, or one emulated AWS service');
  // Options of `local` itself belong to the runtime; a subcommand's same-named options (route53
  // --port) stay its own. Commander needs positional options on every command of the chain.
  program.enablePositionalOptions();
  local.enablePositionalOptions();
  for (const register of LOCAL_SUBCOMMANDS) register(local);
  registerLocalRuntime(local);
  return local;
}
