// Execution history in the shape GetExecutionHistory returns on AWS, built from
// aws-local-stepfunctions' event log plus the Task events the runner records itself
// (the library knows nothing of TaskScheduled/TaskSucceeded/TaskFailed).

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch milliseconds. */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** A history event before it has its place (id) in the execution's history. */
export interface PendingEvent {
  type: string;
  timestamp: number;
  details?: Record<string, unknown>;
}

/** One attempt of one Task state; its events are placed when the library reports the state's exit or failure. */
export interface TaskAttempt {
  stateName: string;
  events: PendingEvent[];
  closed: boolean;
}

/** The parts of aws-local-stepfunctions' EventLog this module reads. */
export interface LibraryEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  index?: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
}

const DETAIL_KEYS: Record<string, string> = {
  ExecutionStarted: 'executionStartedEventDetails',
  ExecutionSucceeded: 'executionSucceededEventDetails',
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
  ExecutionTimedOut: 'executionTimedOutEventDetails',
  TaskScheduled: 'taskScheduledEventDetails',
  TaskStarted: 'taskStartedEventDetails',
  TaskSucceeded: 'taskSucceededEventDetails',
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  MapIterationStarted: 'mapIterationStartedEventDetails',
  MapIterationSucceeded: 'mapIterationSucceededEventDetails',
  MapIterationFailed: 'mapIterationFailedEventDetails',
};

function detailsKey(type: string): string | undefined {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return DETAIL_KEYS[type];
}

export function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : JSON.stringify(cause ?? null);
}

export class HistoryRecorder {
  readonly events: HistoryEvent[];
  private readonly attempts: TaskAttempt[] = [];
  private readonly stateTypes: ReadonlyMap<string, string>;
  private readonly onEvent: ((event: HistoryEvent) => void) | undefined;

  /** `stateTypes` names each state's ASL type (Wait states run as Tasks when waits are scaled). */
  constructor(stateTypes: ReadonlyMap<string, string>, onEvent?: (event: HistoryEvent) => void, existing: HistoryEvent[] = []) {
    this.stateTypes = stateTypes;
    this.onEvent = onEvent;
    this.events = existing;
  }

  add(event: PendingEvent): HistoryEvent {
    const id = this.events.length + 1;
    const placed: HistoryEvent = { id, previousEventId: id - 1, timestamp: event.timestamp, type: event.type };
    const key = detailsKey(event.type);
    if (key !== undefined && event.details !== undefined) placed[key] = event.details;
    this.events.push(placed);
    this.onEvent?.(placed);
    return placed;
  }

  beginTask(stateName: string): TaskAttempt {
    const attempt: TaskAttempt = { stateName, events: [], closed: false };
    this.attempts.push(attempt);
    return attempt;
  }

  /** Records an event of a Task attempt; one that ended (e.g. timed out) records nothing more. */
  taskEvent(attempt: TaskAttempt, event: PendingEvent): void {
    if (!attempt.closed) attempt.events.push(event);
  }

  /** Places the oldest open attempt of the state (Task events come between its entry and exit). */
  private flushAttempt(stateName: string): TaskAttempt | undefined {
    const index = this.attempts.findIndex((attempt) => attempt.stateName === stateName);
    if (index < 0) return undefined;
    const [attempt] = this.attempts.splice(index, 1);
    attempt!.closed = true;
    for (const event of attempt!.events) this.add(event);
    return attempt;
  }

  private typeOf(state: { name: string; type: string }): string {
    return this.stateTypes.get(state.name) ?? state.type;
  }

  /** Converts one library event into the history events AWS would show. */
  consume(event: LibraryEvent): void {
    const at = event.timestamp;
    switch (event.type) {
      case 'ExecutionStarted':
        // The engine records ExecutionStarted itself (it knows the role and the raw input text).
        return;
      case 'StateEntered': {
        const state = event.state!;
        this.add({
          type: `${this.typeOf(state)}StateEntered`,
          timestamp: at,
          details: { name: state.name, input: JSON.stringify(state.input ?? null), inputDetails: { truncated: false } },
        });
        return;
      }
      case 'StateExited': {
        const state = event.state!;
        const type = this.typeOf(state);
        if (type === 'Task') this.flushAttempt(state.name);
        this.add({
          type: `${type}StateExited`,
          timestamp: at,
          details: { name: state.name, output: JSON.stringify(state.output ?? null), outputDetails: { truncated: false } },
        });
        return;
      }
      case 'StateFailed': {
        const state = event.state!;
        const type = this.typeOf(state);
        if (type === 'Task') {
          const attempt = this.flushAttempt(state.name);
          if (event.Error === 'States.Timeout' && attempt !== undefined) {
            const scheduled = attempt.events[0]?.details ?? {};
            this.add({
              type: 'TaskTimedOut',
              timestamp: at,
              details: { resourceType: scheduled['resourceType'], resource: scheduled['resource'], error: 'States.Timeout', cause: '' },
            });
          }
        } else if (type === 'Map' || type === 'Parallel') {
          this.add({ type: `${type}StateFailed`, timestamp: at });
        }
        return;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const details: Record<string, unknown> = { name: event.parentState?.name, index: event.index };
        if (event.type === 'MapIterationFailed') Object.assign(details, { error: event.Error, cause: causeText(event.Cause) });
        this.add({ type: event.type, timestamp: at, details });
        return;
      }
      default:
        // Execution end events are recorded by the engine from the run's result (it knows
        // StopExecution's error and cause); retries and catches have no event on AWS.
        return;
    }
  }
}
