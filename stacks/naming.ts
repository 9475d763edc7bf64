// Names of everything the stack creates (src/core/resource-names.ts spells them, this
// module checks them against AWS's limits). They are deterministic (app, stage, part) so
// every ARN is known before anything exists: the IAM policies, the substituted workflow
// definitions and the contract tests are then plain data, computed without Pulumi.
import { InvalidInput } from '../src/core/errors.ts';
import { APP_NAME, stageResourceName } from '../src/core/resource-names.ts';

export { APP_NAME };

/** Stages that keep their data: resources retained on removal, table deletion protection on. */
export const PRODUCTION_STAGES: readonly string[] = ['prod', 'production'];

export function isProductionStage(stage: string): boolean {
  return PRODUCTION_STAGES.includes(stage);
}

/** AWS name limits of the resources named `<app>-<stage>-<part>`. */
export const NAME_LIMITS = {
  function: 64,
  role: 64,
  stateMachine: 80,
  rule: 64,
  alarm: 255,
  queue: 80,
  table: 255,
  bus: 256,
  topic: 256,
  dashboard: 255,
} as const;
export type NamedKind = keyof typeof NAME_LIMITS;

// Lambda, IAM and Step Functions all accept letters, digits, "-" and "_"; stages are
// lower-case so two stages never differ only by case.
const STAGE = /^[a-z][a-z0-9-]{0,19}$/;
const PART = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The stage as given, or InvalidInput naming it and the rule. */
export function checkStage(stage: string): string {
  if (!STAGE.test(stage)) {
    throw new InvalidInput(`stage "${stage}": must be 1–20 lower-case letters, digits or "-", starting with a letter`, { stage });
  }
  return stage;
}

/** `<app>-<stage>-<part>`, checked against the AWS limit of its kind. */
export function resourceName(app: string, stage: string, part: string, kind: NamedKind): string {
  if (!PART.test(part)) throw new InvalidInput(`${kind} name part "${part}": only letters, digits, "-" and "_"`, { part, kind });
  const name = stageResourceName(stage, part, app);
  const limit = NAME_LIMITS[kind];
  if (name.length > limit) {
    throw new InvalidInput(`${kind} name "${name}" is ${name.length} characters, AWS allows ${limit}: use a shorter stage or name`, { name, kind, limit });
  }
  return name;
}
