// One Lambda per FUNCTIONS entry: Node 22 on arm64, bundled by SST with esbuild, its own
// role holding exactly the deployment spec's statements, and the fleet folder copied alongside.
import { SST_INSTALLED, SST_NODEJS } from '../bundling.ts';
import { FLEET_PACKAGE_DIR, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, type DeploymentSpec } from '../deployment.ts';
import { role } from './iam.ts';
import { pascal } from './names.ts';

export function lambdaFunctions(deployment: DeploymentSpec, fleetDir: string): Map<string, sst.aws.Function> {
  const created = new Map<string, sst.aws.Function>();
  for (const fn of deployment.functions) {
    const logical = pascal(fn.name);
    const fnRole = role(`${logical}Role`, { name: fn.roleName, service: 'lambda.amazonaws.com', accountId: deployment.context.accountId, policy: fn.policy });
    created.set(
      fn.name,
      new sst.aws.Function(`${logical}Function`, {
        name: fn.functionName,
        description: fn.description,
        handler: fn.handler,
        runtime: LAMBDA_RUNTIME,
        architecture: LAMBDA_ARCHITECTURE,
        timeout: `${fn.timeoutSeconds} seconds`,
        memory: `${fn.memoryMB} MB`,
        environment: fn.environment,
        role: fnRole.arn,
        copyFiles: [{ from: fleetDir, to: FLEET_PACKAGE_DIR }],
        nodejs: { ...SST_NODEJS, install: [...SST_INSTALLED] },
        logging: { retention: '1 month', format: 'json' },
        ...(fn.vpc ? { vpc: { privateSubnets: fn.vpc.subnetIds, securityGroups: fn.vpc.securityGroupIds } } : {}),
        transform: {
          ...(fn.tracing ? { function: { tracingConfig: { mode: 'Active' } } } : {}),
          // Production keeps the functions' logs when the stage is removed (deployment.retained).
          logGroup: (_args, opts) => {
            opts.retainOnDelete = deployment.production;
          },
        },
        // Live (sst dev) functions need permissions the least-privilege roles do not have;
        // run the system locally with `npm start` instead.
        dev: false,
      }),
    );
  }
  return created;
}
