// `switchyard completion`: the script completes verbs, nested verbs and each verb's own flags,
// run in a real bash (and zsh when the machine has it).
import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { completionScript } from '../../../src/cli/commands/completion.ts';
import { buildProgram, main } from '../../../src/cli/main.ts';

/** COMPREPLY of the generated bash function for the words typed so far (the last one being completed). */
function complete(...typed: string[]): string[] {
  const script = completionScript(buildProgram(), 'bash');
  const words = ['switchyard', ...typed].map((w) => `'${w}'`).join(' ');
  const probe = `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=${typed.length}; _switchyard; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['-c', probe], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter(Boolean).sort();
}

describe('switchyard completion bash', () => {
  it('completes the verbs', () => {
    expect(complete('dr')).toEqual(['drain']);
    expect(complete('')).toEqual(expect.arrayContaining(['discover', 'plan', 'sync', 'drain', 'restore', 'status', 'history', 'local', 'completion']));
  });

  it("completes a verb's own flags, after other flags and their values", () => {
    expect(complete('drain', '--stage', 'prod', '--st')).toEqual(['--stage', '--steps']);
    expect(complete('plan', '--so')).toEqual(['--source']);
  });

  it('completes nested verbs and their flags', () => {
    expect(complete('local', 'f')).toEqual(['fail']);
    expect(complete('local', 'fail', '--d')).toEqual(['--down']);
  });

  it('refuses an unknown shell with exit 2', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['completion', 'fish'])).toBe(2);
    expect(String(errors.mock.calls[0]?.[0])).toContain('completion: "fish" is not one of bash, zsh');
    errors.mockRestore();
  });

  it('writes a zsh script that loads bash completion and passes zsh -n when zsh is installed', () => {
    const script = completionScript(buildProgram(), 'zsh');
    expect(script).toContain('bashcompinit');
    const zsh = spawnSync('zsh', ['-n', '-c', script], { encoding: 'utf8' });
    if (zsh.error) return; // no zsh on this machine: the bash tests above cover the function
    expect(zsh.status, zsh.stderr).toBe(0);
  });
});
