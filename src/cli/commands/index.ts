// Every verb of the `switchyard` command, in help order. Add one line per verb.
import type { Command } from 'commander';
import { registerAbort } from './abort.ts';
import { registerAgent } from './agent.ts';
import { registerCompletion } from './completion.ts';
import { registerDashboard } from './dashboard.ts';
import { registerDiscover } from './discover.ts';
import { registerDrain } from './drain.ts';
import { registerEdgeConfig } from './edge-config.ts';
import { registerHistory } from './history.ts';
import { registerLocal } from './local.ts';
import { registerPlan } from './plan.ts';
import { registerRestore } from './restore.ts';
import { registerStatus } from './status.ts';
import { registerSync } from './sync.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerDiscover,
  registerPlan,
  registerSync,
  registerEdgeConfig,
  registerDrain,
  registerRestore,
  registerAbort,
  registerStatus,
  registerHistory,
  registerDashboard,
  registerLocal,
  registerAgent,
  registerCompletion,
];
