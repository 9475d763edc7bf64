// The contract between the checkout and the stack: run over the real FUNCTIONS registry,
// workflows/*.asl.json and the example fleet, with the same plan the stack deploys.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateAsl } from '@switchyard/local-aws/stepfunctions';
import { bundleHandlers, bundleProblems } from '../../scripts/bundle-check.ts';
import { inspectWorkflow, workflowNameOf } from '../../src/core/asl.ts';
import { fleetFileName, readDeploySources, readWorkflows } from '../../stacks/inputs.ts';
import { describeDeployment, type DeploymentSpec } from '../../stacks/deployment.ts';
import { RESOURCE_STAR_ACTIONS, grants, type Statement } from '../../stacks/iam-grants.ts';
import { REGISTRY_FILE, loadRegistry } from '../../stacks/registry.ts';
import { CONTEXT, ROOT } from './helpers.ts';

const hasRegistry = existsSync(join(ROOT, REGISTRY_FILE));
const registry = hasRegistry ? await loadRegistry(ROOT) : {};
const workflows = await readWorkflows(ROOT);

async function realPlan(): Promise<DeploymentSpec> {
  const sources = await readDeploySources(ROOT, registry, {});
  // Zones without a pinned id are looked up at deploy time; any id will do here.
  const zoneIds = Object.fromEntries(sources.fleet.config.zones.map((z, i) => [z.name, z.id ?? `Z0TEST${i}`]));
  return describeDeployment(CONTEXT, {
    fleet: sources.fleet.config,
    fleetFileName: fleetFileName(sources.fleet),
    registry,
    workflows: sources.workflows,
    zoneIds,
  });
}

function allStatements(plan: DeploymentSpec): Array<{ who: string; statement: Statement }> {
  return [
    ...plan.functions.flatMap((f) => f.policy.Statement.map((statement) => ({ who: `function ${f.name}`, statement }))),
    ...plan.machines.flatMap((m) => m.policy.Statement.map((statement) => ({ who: `state machine ${m.workflow}`, statement }))),
    ...plan.forwardRolePolicy.Statement.map((statement) => ({ who: 'forward role', statement })),
  ];
}

describe('workflows/*.asl.json', () => {
  it('are all named <Name>.asl.json', () => {
    const files = existsSync(join(ROOT, 'workflows')) ? readdirSync(join(ROOT, 'workflows')).filter((f) => f.endsWith('.asl.json')) : [];
    expect(files.filter((f) => workflowNameOf(f) === undefined)).toEqual([]);
  });

  it('wire every Task to a function in FUNCTIONS or to events:putEvents on the app bus', () => {
    const problems: string[] = [];
    const invokesFunctions = workflows.some((w) => w.text.includes('arn:aws:states:::lambda:invoke'));
    if (!hasRegistry && invokesFunctions) problems.push(`${REGISTRY_FILE} (FUNCTIONS) is missing, so no workflow Task can be wired:`);
    for (const source of workflows) {
      try {
        inspectWorkflow(source, Object.keys(registry));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe.runIf(hasRegistry)('the deployment of this checkout', async () => {
  const plan = hasRegistry ? await realPlan() : undefined;

  it('renders every workflow to a definition asl-validator accepts, with no placeholder left', () => {
    expect(plan!.machines.map((m) => m.workflow)).toEqual(workflows.map((w) => w.name).sort());
    for (const machine of plan!.machines) {
      expect(machine.definition, machine.file).not.toContain('${');
      expect(() => validateAsl(JSON.parse(machine.definition) as Record<string, unknown>, machine.file)).not.toThrow();
    }
  });

  it('lets each state machine invoke exactly the functions its Tasks name', () => {
    for (const machine of plan!.machines) {
      const invoke = machine.policy.Statement.filter((s) => s.Action.includes('lambda:InvokeFunction')).flatMap((s) => s.Resource);
      const named = machine.wiring.lambdaTasks.map((t) => plan!.functions.find((f) => f.name === t.functionName)!.arn);
      expect(new Set(invoke.map((arn) => arn.replace(/:\*$/, ''))), machine.workflow).toEqual(new Set(named));
    }
  });

  it('grants every action each handler declares (or says why there is nothing to grant it on)', () => {
    for (const fn of plan!.functions) {
      const waived = fn.notApplicable.map((n) => n.action);
      for (const action of registry[fn.name]!.actions) {
        expect(grants(fn.policy.Statement, action) || waived.includes(action), `${fn.name}: ${action}`).toBe(true);
      }
    }
  });

  it('grants no wildcard action, and "*" resources only for actions AWS authorizes on "*" alone', () => {
    for (const { who, statement } of allStatements(plan!)) {
      for (const action of statement.Action) expect(action, who).not.toContain('*');
      if (statement.Resource.includes('*')) {
        for (const action of statement.Action) expect(RESOURCE_STAR_ACTIONS, `${who}: ${action} on "*"`).toContain(action);
      }
    }
  });

  it('lets the router start every state machine', () => {
    const router = plan!.functions.find((f) => f.name === plan!.router)!;
    for (const machine of plan!.machines) {
      const start = router.policy.Statement.filter((s) => s.Action.includes('states:StartExecution')).flatMap((s) => s.Resource);
      expect(start, machine.workflow).toContain(machine.arn);
    }
  });

  it("routes the stopped, timed-out and failed runs of this stage's lock-holding machines (only those) to the router", () => {
    const arn = (workflow: string) => plan!.machines.find((m) => m.workflow === workflow)!.arn;
    const pattern = {
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [arn('DrainCluster'), arn('RestoreCluster'), arn('UpgradeGuard')].sort() },
    };
    // Step Functions delivers them to the default bus of the machines' region: forwarded from there to the app bus.
    expect(plan!.forwardRules.filter((r) => r.kind === 'executions')).toEqual([
      { region: CONTEXT.region, kind: 'executions', ruleName: `switchyard-${CONTEXT.stage}-executions`, pattern },
    ]);
    expect(plan!.routerSubscriptions.find((s) => s.name === 'Executions')?.pattern).toEqual(pattern);
    expect(JSON.stringify(pattern)).not.toContain('RecoverOperation');
  });

  it('lets RecoverOperation invoke recoverOperation only, and recoverOperation and Reconcile read only this stage’s executions', () => {
    const recover = plan!.machines.find((m) => m.workflow === 'RecoverOperation')!;
    expect(recover.functions).toEqual(['recoverOperation']);
    for (const name of ['recoverOperation', 'reconcile']) {
      const fn = plan!.functions.find((f) => f.name === name)!;
      const describe = fn.policy.Statement.filter((s) => s.Action.includes('states:DescribeExecution')).flatMap((s) => s.Resource);
      expect(describe, name).toEqual(plan!.machines.map((m) => m.arn.replace(':stateMachine:', ':execution:') + ':*').sort());
    }
    const reconcile = plan!.functions.find((f) => f.name === 'reconcile')!;
    expect(reconcile.policy.Statement.filter((s) => s.Action.includes('states:StartExecution')).flatMap((s) => s.Resource)).toContain(recover.arn);
  });

  it('bundles every handler under 1.1 MB, calling only the actions it declares and declaring only what it calls', async () => {
    const reports = await bundleHandlers(ROOT, Object.fromEntries(Object.keys(registry).map((name) => [name, `functions/${name}.ts`])));
    expect(bundleProblems(reports, registry)).toEqual([]);
    // esbuild bundles every handler (20 now): a loaded 2-core machine needs more than the default 20 s.
  }, 300_000);
});
