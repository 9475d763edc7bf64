export { compileWorkflow, loadWorkflowFile, loadWorkflowFolder, runWorkflow, Workflow } from './runner.ts';
export type {
  ExecutionStatus,
  HistoryEvent,
  LambdaHandler,
  PutEventsRequestEntry,
  PutEventsResponse,
  PutEventsSink,
  RunnerOptions,
  StartOptions,
  WorkflowOutcome,
  WorkflowRun,
} from './runner.ts';
export { LocalStepFunctions } from './engine.ts';
export type { ExecutionRecord, StateMachineRecord, StepFunctionsOptions } from './engine.ts';
export { stepFunctionsService, STEP_FUNCTIONS_OPERATIONS } from './service.ts';
export { EVENTS_PUT_EVENTS, forEachState, LAMBDA_INVOKE, parseDefinition, validateAsl, type AslObject } from './definition.ts';
export type { ExecutionSummary } from './execution-store.ts';
