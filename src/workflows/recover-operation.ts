// RecoverOperation: see docs/workflows.md and docs/operations.md.
import { announce, catcher, choice, END, failWithCaught, isTrue, lambdaTask, next, pass, stateMachine } from './asl.ts';

export const recoverOperation = stateMachine(
  "RecoverOperation: a DrainCluster, RestoreCluster or UpgradeGuard run that was stopped, timed out or failed outside its Catch (or whose lease ran out) is rolled back: if it still holds its cluster's lock, the saved weights go back (safety-checked, as any rollback), the lock is released, the journal says so, and Cluster Drain Aborted names the cause. A run that holds no lock needs nothing; a newer holder is never touched. Input: {executionArn}.",
  'Recover',
  {
    Recover: lambdaTask(
      'recoverOperation',
      {
        comment: "DescribeExecution (an ended run only), then the rollback task under the run's own lock (reclaimed by its fencing token).",
        payload: { 'executionArn.$': '$.executionArn' },
        resultSelector: {
          'executionArn.$': '$.Payload.executionArn',
          'status.$': '$.Payload.status',
          'cluster.$': '$.Payload.cluster',
          'recovered.$': '$.Payload.recovered',
          'rolledBack.$': '$.Payload.rolledBack',
          'reason.$': '$.Payload.reason',
          'event.$': '$.Payload.event',
        },
        maxAttempts: 10,
        catch: [catcher('Failed')],
      },
      next('AnythingToAnnounce'),
    ),
    AnythingToAnnounce: choice([isTrue('$.recovered', 'AnnounceAborted')], 'Recovered'),
    AnnounceAborted: announce({ detailType: 'Cluster Drain Aborted', detail: '$.event.Detail', required: true }, 'Recovered'),
    Recovered: pass(
      {
        parameters: {
          'executionArn.$': '$.executionArn',
          'status.$': '$.status',
          'cluster.$': '$.cluster',
          'recovered.$': '$.recovered',
          'rolledBack.$': '$.rolledBack',
          'reason.$': '$.reason',
        },
      },
      END,
    ),
    Failed: failWithCaught('Ends with the named error (InvalidInput: the run is still RUNNING or the ARN is not one).'),
  },
);
