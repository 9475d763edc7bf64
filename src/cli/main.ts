// The `switchyard` command. Each verb lives in src/cli/commands/<verb>.ts and
// registers itself here; this file only wires them and maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { SwitchyardError, errorMessage } from '../core/errors.ts';
import { EXIT } from './exit-codes.ts';
import { commands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('switchyard')
    .description('Keep multi-cluster applications highly available through Route 53')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const bad = error instanceof SwitchyardError && ['InvalidInput', 'ConfigError', 'UnknownCluster'].includes(error.name);
    console.error(`switchyard: ${error instanceof SwitchyardError ? `${error.name}: ` : ''}${errorMessage(error)}`);
    return bad ? EXIT.badInput : EXIT.failed;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
