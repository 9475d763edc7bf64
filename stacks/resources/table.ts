// The state table: intent, locks, the app catalogue and the journal (src/aws/state-table.ts).
// On demand, point-in-time recovery on; deletion protection on production stages.
import type { DeploymentSpec } from '../deployment.ts';

export function stateTable(deployment: DeploymentSpec): sst.aws.Dynamo {
  return new sst.aws.Dynamo('State', {
    fields: { pk: 'string', sk: 'string' },
    primaryIndex: { hashKey: 'pk', rangeKey: 'sk' },
    deletionProtection: deployment.production,
    // Merged over SST's defaults (which are the same billing mode and recovery): stated, not assumed.
    transform: {
      table: (args, opts) => {
        args.name = deployment.tableName;
        args.billingMode = 'PAY_PER_REQUEST';
        args.pointInTimeRecovery = { enabled: true };
        // Production keeps the table when the stage is removed (deployment.retained), stated here rather than left to SST's removal mode.
        opts.retainOnDelete = deployment.production;
      },
    },
  });
}
