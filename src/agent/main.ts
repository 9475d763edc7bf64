// The entry point of the agent's container image (deploy/agent/Dockerfile): only the
// `switchyard agent` command, so its bundle carries nothing of the local runtime.
// `node agent.mjs --fleet /etc/switchyard/fleet.yaml` = `switchyard agent --fleet ...`.
import { Command, CommanderError } from 'commander';
import { SwitchyardError, errorMessage } from '../core/errors.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { registerAgent } from '../cli/commands/agent.ts';

export async function agentMain(argv: string[]): Promise<number> {
  const program = new Command('switchyard').exitOverride();
  registerAgent(program);
  try {
    await program.parseAsync(['agent', ...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    // One JSON line, like every other line the agent writes.
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'agent failed', reason: `${error instanceof SwitchyardError ? `${error.name}: ` : ''}${errorMessage(error)}` })}\n`,
    );
    return error instanceof SwitchyardError && ['InvalidInput', 'ConfigError', 'UnknownCluster'].includes(error.name) ? EXIT.badInput : EXIT.failed;
  }
}

process.exitCode = await agentMain(process.argv.slice(2));
