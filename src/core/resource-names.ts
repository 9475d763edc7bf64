// Names of a stage's resources: `<app>-<stage>-<part>`, the one place they are spelled.
// The deploy names what it creates with them (stacks/naming.ts adds AWS's length limits),
// and the CLI, the dashboard and the local runtime find a stage's table, bus and state
// machines by the same names (docs/deploy.md, "Stages"). Pure.

export const APP_NAME = 'switchyard';

/** The parts of the names other code looks up by stage. */
export const RESOURCE_PARTS = { stateTable: 'state', bus: 'bus' } as const;

/** `<app>-<stage>-`: every resource of the stage starts with it. */
export function stagePrefix(stage: string, app: string = APP_NAME): string {
  return `${app}-${stage}-`;
}

/** `<app>-<stage>-<part>` (unchecked; the deploy checks AWS's limits in stacks/naming.ts). */
export function stageResourceName(stage: string, part: string, app: string = APP_NAME): string {
  return `${stagePrefix(stage, app)}${part}`;
}

export function stateTableName(stage: string, app: string = APP_NAME): string {
  return stageResourceName(stage, RESOURCE_PARTS.stateTable, app);
}

export function busName(stage: string, app: string = APP_NAME): string {
  return stageResourceName(stage, RESOURCE_PARTS.bus, app);
}

/** A workflow's state machine: `<app>-<stage>-<Workflow>`. */
export function stateMachineName(stage: string, workflow: string, app: string = APP_NAME): string {
  return stageResourceName(stage, workflow, app);
}
