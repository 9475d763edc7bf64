// "Step Functions Execution Status Change": the event Step Functions puts on the default
// bus of its region whenever an execution starts or ends (RUNNING, SUCCEEDED, FAILED,
// TIMED_OUT, ABORTED), with the fields AWS documents. The local platform injects it on its
// default bus so rules written for AWS (e.g. recovery of a stopped run) fire the same way.
import type { ExecutionRecord } from './engine.ts';

export const STATUS_CHANGE_SOURCE = 'aws.states';
export const STATUS_CHANGE_DETAIL_TYPE = 'Step Functions Execution Status Change';

export interface StatusChangeEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources: string[];
  time: Date;
}

/** The event for a record's current status (input and output included, as AWS does up to 256 KB). */
export function executionStatusChange(record: Readonly<ExecutionRecord>): StatusChangeEvent {
  const ended = record.status !== 'RUNNING';
  return {
    source: STATUS_CHANGE_SOURCE,
    detailType: STATUS_CHANGE_DETAIL_TYPE,
    resources: [record.executionArn],
    time: new Date(ended ? (record.stopDate ?? Date.now()) : record.startDate),
    detail: {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate,
      stopDate: ended ? (record.stopDate ?? null) : null,
      input: record.input,
      inputDetails: { included: true },
      output: record.status === 'SUCCEEDED' ? (record.output ?? null) : null,
      outputDetails: record.status === 'SUCCEEDED' ? { included: true } : null,
      error: record.error ?? null,
      cause: record.cause ?? null,
    },
  };
}
