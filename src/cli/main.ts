// The `switchyard` command. Each verb lives in src/cli/commands/<verb>.ts and
// registers itself here; this file only wires them and maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SwitchyardError, errorMessage } from '../core/errors.ts';
import { EXIT } from './exit-codes.ts';
import { commands } from './commands/index.ts';
import { InvalidInput as EmulatorInvalidInput } from '@switchyard/local-aws';

/** The version in package.json, the one place it is written. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

export function buildProgram(): Command {
  const program = new Command('switchyard')
    .description('Keep multi-cluster applications highly available through Route 53')
    .version(packageVersion(), '-V, --version', 'print the version of switchyard')
    .option('--profile <name>', 'AWS profile for every AWS call (sets AWS_PROFILE; its region applies unless --region or AWS_REGION is given)')
    .showHelpAfterError()
    .exitOverride();
  // The SDK's own chain reads AWS_PROFILE for credentials and region alike.
  program.hook('preAction', () => {
    const { profile } = program.opts<{ profile?: string }>();
    if (profile !== undefined) process.env.AWS_PROFILE = profile;
  });
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
    // The emulator's InvalidInput (a bad state file or definition) is bad input too.
    const named = error instanceof SwitchyardError || error instanceof EmulatorInvalidInput;
    const bad = named && ['InvalidInput', 'ConfigError', 'UnknownCluster'].includes(error.name);
    console.error(`switchyard: ${named ? `${error.name}: ` : ''}${errorMessage(error)}`);
    return bad ? EXIT.badInput : EXIT.failed;
  }
}

/** True when Node runs this file itself (not when it is imported), whatever the path's spaces or links. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === pathToFileURL(realpathSync(fileURLToPath(import.meta.url))).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
