// `switchyard completion bash|zsh`: a completion script generated from the program's own
// verbs and options, so it never lists a verb or flag the CLI does not have.
import type { Command, Option } from 'commander';
import { InvalidInput } from '../../core/errors.ts';
import { EXIT } from '../exit-codes.ts';

export const SHELLS = ['bash', 'zsh'] as const;

/** Each verb path ('' for the top level, 'local fail', …) with the words that may follow it. */
export function completionTable(program: Command): Array<{ path: string; words: string[] }> {
  const rows: Array<{ path: string; words: string[] }> = [];
  const flags = (options: readonly Option[]) => options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
  const visit = (command: Command, path: string) => {
    const verbs = command.commands.map((c) => c.name());
    rows.push({ path, words: [...verbs, ...flags(command.options), '--help'] });
    for (const sub of command.commands) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, '');
  return rows;
}

/** Quotes a word for a single-quoted shell string (verb and flag names never need more). */
const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

export function completionScript(program: Command, shell: (typeof SHELLS)[number]): string {
  const table = completionTable(program);
  const paths = table.filter((row) => row.path !== '').map((row) => quote(row.path));
  const cases = table.map((row) => `    ${quote(row.path)}) words=${quote(row.words.join(' '))} ;;`);
  const lines = [
    `# switchyard ${shell} completion: eval "$(switchyard completion ${shell})"`,
    ...(shell === 'zsh' ? ['autoload -U +X compinit && compinit', 'autoload -U +X bashcompinit && bashcompinit'] : []),
    '_switchyard() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" path="" next word words i',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    word="${COMP_WORDS[i]}"',
    '    [[ "$word" == -* ]] && continue',
    '    next="${path:+$path }$word"',
    `    case "$next" in ${paths.length > 0 ? paths.join('|') : "''"}) path="$next" ;; esac`,
    '  done',
    '  case "$path" in',
    ...cases,
    "    *) words='' ;;",
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    'complete -F _switchyard switchyard',
  ];
  return `${lines.join('\n')}\n`;
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(switchyard completion bash)" (or zsh)')
    .argument('<shell>', SHELLS.join(' | '))
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new InvalidInput(`completion: "${shell}" is not one of ${SHELLS.join(', ')}`, { argument: 'shell', value: shell });
      process.stdout.write(completionScript(program, shell as (typeof SHELLS)[number]));
      process.exitCode = EXIT.ok;
    });
}
