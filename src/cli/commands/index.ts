// Every verb of the `switchyard` command, in help order. Add one line per verb.
import type { Command } from 'commander';
import { registerDiscover } from './discover.ts';
import { registerLocal } from './local.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerDiscover, registerLocal];
