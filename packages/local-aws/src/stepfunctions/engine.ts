// The local Step Functions service's behaviour, independent of HTTP: state machines,
// executions that run asynchronously in process, their history, and persistence under
// a state folder so a restart keeps them: state machines as a snapshot
// (`state-machines.json`) and its change log (../journal.ts), executions in the execution
// store (./execution-store.ts); every change is on disk before flush() resolves. Errors are AwsServiceError with the codes
// Step Functions answers with. Executions that were RUNNING when the process died are
// listed by interruptedExecutions(); the runtime decides to resume or stop them.
// Closed executions are kept as summaries in memory and bodies in the store (read on
// DescribeExecution / GetExecutionHistory), within a retention (./retention.ts).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { errorMessage } from '../errors.ts';
import { AwsServiceError, paginate, validationError, type Page } from '../aws-json.ts';
import { InvalidInput } from '../errors.ts';
import { Journal } from '../journal.ts';
import { checkName, executionArn, parseExecutionArn, parseStateMachineArn, stateMachineArn, type Place } from './arn.ts';
import { FileExecutionStore, MemoryExecutionStore, summaryOf, type ExecutionRecord, type ExecutionStore, type ExecutionSummary } from './execution-store.ts';
import type { HistoryEvent } from './history.ts';
import { checkInputSize } from './limits.ts';
import { DEFAULT_RETENTION, executionsToPrune, type RetentionPolicy } from './retention.ts';
import { Workflow, type RunnerOptions, type WorkflowOutcome, type WorkflowRun } from './runner.ts';

export type { ExecutionRecord, ExecutionSummary } from './execution-store.ts';

export interface StateMachineRecord {
  name: string;
  stateMachineArn: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  creationDate: number;
  updateDate?: number;
}

export interface StepFunctionsOptions extends Omit<RunnerOptions, 'label' | 'region' | 'accountId'> {
  region?: string;
  accountId?: string;
  /** Folder for persistent state (e.g. `.switchyard`); none keeps everything in memory. */
  stateDir?: string;
  /** Called when an execution starts or ends (status views, event emission). */
  onExecutionChange?: (record: Readonly<ExecutionRecord>) => void;
  /** How long closed executions are kept (default: 90 days, 10,000 per state machine). */
  retention?: Partial<RetentionPolicy>;
  /** The clock retention is measured against (tests). */
  now?: () => number;
  /** Compact the change logs once they hold this many bytes (default 4 MiB; tests). */
  compactAfterBytes?: number;
}

/** The state machines' snapshot (earlier versions wrote the bare list, which still loads). */
interface MachinesSnapshot {
  version: 1;
  machines: StateMachineRecord[];
}

type MachineEntry = { op: 'put'; machine: StateMachineRecord } | { op: 'delete'; arn: string };

const STATUSES: readonly string[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const HOUR_MS = 3_600_000;

export class LocalStepFunctions {
  readonly place: Place;
  private readonly options: StepFunctionsOptions;
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly workflows = new Map<string, Workflow | Error>();
  /** Every execution kept, open or closed. */
  private readonly summaries = new Map<string, ExecutionSummary>();
  /** Full records of RUNNING executions (live or left by a dead process). */
  private readonly open = new Map<string, ExecutionRecord>();
  private readonly closedCount = new Map<string, number>();
  private readonly runs = new Map<string, { run: WorkflowRun; done: Promise<ExecutionRecord> }>();
  private readonly interrupted = new Set<string>();
  private machinesJournal: Journal<MachinesSnapshot, MachineEntry> | undefined;
  private readonly store: ExecutionStore;
  private readonly retention: RetentionPolicy;
  private removals: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(options: StepFunctionsOptions) {
    this.options = options;
    this.place = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
    this.store =
      this.folder === undefined
        ? new MemoryExecutionStore()
        : new FileExecutionStore(this.folder, options.compactAfterBytes === undefined ? {} : { compactAfterBytes: options.compactAfterBytes });
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
  }

  /** Opens the service, loading what an earlier process left in stateDir. */
  static async open(options: StepFunctionsOptions): Promise<LocalStepFunctions> {
    const service = new LocalStepFunctions(options);
    await service.load();
    // Closed executions age out while the service runs, too.
    service.pruneTimer = setInterval(() => service.prune(), HOUR_MS);
    service.pruneTimer.unref();
    return service;
  }

  // ---- state machines -------------------------------------------------------------

  createStateMachine(request: { name: string; definition: string; roleArn: string; type?: string }): { stateMachineArn: string; creationDate: number } {
    checkName(request.name);
    checkRoleArn(request.roleArn);
    const type = checkType(request.type);
    const arn = stateMachineArn(this.place, request.name);
    const existing = this.machines.get(arn);
    if (existing !== undefined) {
      // Idempotent like AWS: the same request again returns the existing machine.
      if (existing.definition === request.definition && existing.roleArn === request.roleArn && existing.type === type) {
        return { stateMachineArn: arn, creationDate: existing.creationDate };
      }
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const workflow = this.compile(request.name, request.definition);
    const record: StateMachineRecord = {
      name: request.name,
      stateMachineArn: arn,
      definition: request.definition,
      roleArn: request.roleArn,
      type,
      creationDate: Date.now(),
    };
    this.machines.set(arn, record);
    this.workflows.set(arn, workflow);
    this.saveMachine({ op: 'put', machine: record });
    return { stateMachineArn: arn, creationDate: record.creationDate };
  }

  updateStateMachine(request: { stateMachineArn: string; definition?: string; roleArn?: string }): { updateDate: number } {
    const record = this.machine(request.stateMachineArn);
    if (request.definition === undefined && request.roleArn === undefined) {
      throw new AwsServiceError('MissingRequiredParameter', 'Either the definition or the roleArn must be specified');
    }
    if (request.roleArn !== undefined) checkRoleArn(request.roleArn);
    if (request.definition !== undefined) {
      this.workflows.set(record.stateMachineArn, this.compile(record.name, request.definition));
      record.definition = request.definition;
    }
    if (request.roleArn !== undefined) record.roleArn = request.roleArn;
    record.updateDate = Date.now();
    this.saveMachine({ op: 'put', machine: record });
    return { updateDate: record.updateDate };
  }

  deleteStateMachine(arn: string): void {
    parseStateMachineArn(arn);
    // Deleting a machine that is not there succeeds on AWS too.
    if (!this.machines.delete(arn)) return;
    this.workflows.delete(arn);
    this.saveMachine({ op: 'delete', arn });
  }

  describeStateMachine(arn: string): StateMachineRecord {
    return this.machine(arn);
  }

  listStateMachines(request: { maxResults?: number; nextToken?: string } = {}): Page<StateMachineRecord> {
    const all = [...this.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
    return paginate(all, request.maxResults, request.nextToken, 'ListStateMachines', invalidToken);
  }

  // ---- executions -----------------------------------------------------------------

  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: number } {
    // AWS checks the request's constraints before it looks the state machine up.
    if (request.name !== undefined) checkName(request.name);
    const inputText = request.input ?? '{}';
    checkInputSize(inputText);
    const machine = this.machine(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    const input = parseInput(inputText);
    const arn = executionArn(this.place, machine.name, name);
    const existing = this.summaries.get(arn);
    if (existing !== undefined) {
      // AWS: same name and input as an open execution is the same call; otherwise the name is taken.
      const open = this.open.get(arn);
      if (open !== undefined && open.status === 'RUNNING' && sameJson(open.input, inputText)) return { executionArn: arn, startDate: open.startDate };
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machine.stateMachineArn,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input: inputText,
      history: [],
    };
    this.summaries.set(arn, summaryOf(record));
    this.open.set(arn, record);
    this.launch(record, machine, input);
    return { executionArn: arn, startDate: record.startDate };
  }

  /** The execution's full record (a closed one's is read from the store). */
  async describeExecution(arn: string): Promise<ExecutionRecord> {
    return this.execution(arn);
  }

  listExecutions(request: { stateMachineArn: string; statusFilter?: string; maxResults?: number; nextToken?: string }): Page<ExecutionSummary> {
    const machine = this.machine(request.stateMachineArn);
    if (request.statusFilter !== undefined && !STATUSES.includes(request.statusFilter)) {
      throw validationError('statusFilter', request.statusFilter, `Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
    }
    const all = [...this.summaries.values()]
      .filter((record) => record.stateMachineArn === machine.stateMachineArn)
      .filter((record) => request.statusFilter === undefined || record.status === request.statusFilter)
      .sort((a, b) => b.startDate - a.startDate || b.name.localeCompare(a.name));
    return paginate(all, request.maxResults, request.nextToken, `ListExecutions:${machine.stateMachineArn}:${request.statusFilter ?? ''}`, invalidToken);
  }

  async getExecutionHistory(request: {
    executionArn: string;
    maxResults?: number;
    nextToken?: string;
    reverseOrder?: boolean;
    includeExecutionData?: boolean;
  }): Promise<Page<HistoryEvent>> {
    const record = await this.execution(request.executionArn);
    let events = request.reverseOrder === true ? [...record.history].reverse() : [...record.history];
    if (request.includeExecutionData === false) events = events.map(withoutExecutionData);
    return paginate(
      events,
      request.maxResults,
      request.nextToken,
      `GetExecutionHistory:${record.executionArn}:${String(request.reverseOrder === true)}`,
      invalidToken,
    );
  }

  stopExecution(request: { executionArn: string; error?: string; cause?: string }): { stopDate: number } {
    const summary = this.summary(request.executionArn);
    const live = this.runs.get(summary.executionArn);
    if (live !== undefined) {
      live.run.stop(request.error, request.cause);
      // The run ends at once; its record is settled when the outcome arrives.
      return { stopDate: Date.now() };
    }
    const record = this.open.get(summary.executionArn);
    if (record !== undefined && record.status === 'RUNNING') {
      // Interrupted by a dead process: nothing runs, so stop it here.
      this.interrupted.delete(record.executionArn);
      this.finish(record, { status: 'ABORTED', error: request.error, cause: request.cause, history: record.history });
      return { stopDate: record.stopDate! };
    }
    return { stopDate: summary.stopDate ?? Date.now() };
  }

  /** Resolves when the execution has ended (at once when it already has). */
  async waitForExecution(arn: string): Promise<ExecutionRecord> {
    const summary = this.summary(arn);
    const live = this.runs.get(summary.executionArn);
    return live === undefined ? this.execution(arn) : live.done;
  }

  /** Executions that were RUNNING when an earlier process died (nothing runs them now). */
  interruptedExecutions(): ExecutionRecord[] {
    return [...this.interrupted].flatMap((arn) => {
      const record = this.open.get(arn);
      return record !== undefined && record.status === 'RUNNING' ? [record] : [];
    });
  }

  /**
   * Runs an interrupted execution again from its first state with its original input
   * (aws-local-stepfunctions cannot resume mid-way; workflows must be safe to re-run).
   * Its history keeps the earlier events.
   */
  resumeExecution(arn: string): void {
    const summary = this.summary(arn);
    const record = this.open.get(summary.executionArn);
    if (record === undefined || !this.interrupted.has(record.executionArn) || record.status !== 'RUNNING') {
      throw new AwsServiceError('ValidationException', `Execution is not an interrupted one: '${arn}'`);
    }
    this.interrupted.delete(record.executionArn);
    record.resumeCount = (record.resumeCount ?? 0) + 1;
    this.launch(record, this.machine(record.stateMachineArn), JSON.parse(record.input) as unknown);
  }

  /** Waits for pending writes. Running executions stay RUNNING on disk (the next start reports them). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pruneTimer);
    for (const { run } of this.runs.values()) run.stop('States.Runtime', 'local runtime shut down');
    await this.removals;
    await this.machinesJournal?.close(this.machinesSnapshot());
    await this.store.close();
  }

  // ---- internals ------------------------------------------------------------------

  private launch(record: ExecutionRecord, machine: StateMachineRecord, input: unknown): void {
    const workflow = this.workflows.get(machine.stateMachineArn);
    if (workflow === undefined || workflow instanceof Error) {
      // A stored definition that no longer compiles (e.g. a handler went away) fails its runs, saying why.
      const reason = workflow instanceof Error ? workflow.message : 'state machine has no definition';
      this.finish(record, { status: 'FAILED', error: 'States.Runtime', cause: reason, history: record.history });
      return;
    }
    const run = workflow.start(input, {
      executionArn: record.executionArn,
      stateMachineArn: machine.stateMachineArn,
      name: record.name,
      roleArn: machine.roleArn,
      history: record.history,
      onEvent: () => this.saveExecution(record),
    });
    record.history = run.history;
    const done = run.outcome.then((outcome) => {
      this.runs.delete(record.executionArn);
      if (!this.closed) this.finish(record, outcome);
      return record;
    });
    this.runs.set(record.executionArn, { run, done });
    this.saveExecution(record);
    this.options.onExecutionChange?.(record);
  }

  private finish(record: ExecutionRecord, outcome: WorkflowOutcome): void {
    record.status = outcome.status;
    record.stopDate = Date.now();
    if (outcome.status === 'SUCCEEDED') record.output = JSON.stringify(outcome.output ?? null);
    if (outcome.error !== undefined) record.error = outcome.error;
    if (outcome.cause !== undefined) record.cause = outcome.cause;
    appendEndEvent(record);
    this.saveExecution(record);
    // Closed: from now on its body is read from the store when asked for.
    this.open.delete(record.executionArn);
    this.summaries.set(record.executionArn, summaryOf(record));
    const closed = (this.closedCount.get(record.stateMachineArn) ?? 0) + 1;
    this.closedCount.set(record.stateMachineArn, closed);
    // Past the limit, the oldest go down to 90 % of it, so pruning is not paid at every end.
    if (closed > this.retention.maxClosedPerStateMachine) this.prune(record.stateMachineArn, Math.floor(this.retention.maxClosedPerStateMachine * 0.9));
    this.options.onExecutionChange?.(record);
  }

  /** Forgets the closed executions the retention no longer keeps (all machines, or one). */
  private prune(stateMachineArn?: string, keep?: number): void {
    const candidates =
      stateMachineArn === undefined ? this.summaries.values() : [...this.summaries.values()].filter((s) => s.stateMachineArn === stateMachineArn);
    const doomed = executionsToPrune(candidates, (this.options.now ?? Date.now)(), this.retention, keep);
    if (doomed.length === 0) return;
    for (const arn of doomed) {
      const summary = this.summaries.get(arn)!;
      this.summaries.delete(arn);
      this.closedCount.set(summary.stateMachineArn, (this.closedCount.get(summary.stateMachineArn) ?? 1) - 1);
    }
    const store = this.store;
    this.removals = this.removals.then(() => store.remove(doomed)).catch(() => undefined);
  }

  private compile(name: string, definition: string): Workflow {
    try {
      return new Workflow(definition, { ...this.options, ...this.place, label: `state machine ${name}` });
    } catch (error) {
      throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${errorMessage(error)}'`);
    }
  }

  private machine(arn: string): StateMachineRecord {
    parseStateMachineArn(arn);
    const record = this.machines.get(arn);
    if (record === undefined) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return record;
  }

  private summary(arn: string): ExecutionSummary {
    parseExecutionArn(arn);
    const summary = this.summaries.get(arn);
    if (summary === undefined) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return summary;
  }

  private async execution(arn: string): Promise<ExecutionRecord> {
    this.summary(arn);
    const record = this.open.get(arn) ?? (await this.store.read(arn));
    if (record === undefined) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  private get folder(): string | undefined {
    return this.options.stateDir === undefined ? undefined : join(this.options.stateDir, 'stepfunctions');
  }

  private machinesSnapshot(): MachinesSnapshot {
    return { version: 1, machines: [...this.machines.values()] };
  }

  private saveMachine(entry: MachineEntry): void {
    if (this.closed) return;
    // A failed write is reported by flush(), which every API answer waits for.
    this.machinesJournal?.append(entry, () => this.machinesSnapshot()).catch(() => undefined);
  }

  private saveExecution(record: ExecutionRecord): void {
    if (this.closed) return;
    this.store.save(record).catch(() => undefined);
  }

  /** Resolves when every change so far is on disk; rejects when a write failed. */
  async flush(): Promise<void> {
    await this.removals;
    await this.machinesJournal?.flush();
    await this.store.flush();
  }

  private async load(): Promise<void> {
    const folder = this.folder;
    if (folder === undefined) return;
    const { journal, recovered } = Journal.open<MachinesSnapshot, MachineEntry>(join(folder, 'state-machines.json'), readMachinesSnapshot, {
      label: 'Step Functions state machines file',
      ...(this.options.compactAfterBytes === undefined ? {} : { compactAfterBytes: this.options.compactAfterBytes }),
    });
    this.machinesJournal = journal;
    for (const record of recovered.snapshot?.machines ?? []) this.machines.set(record.stateMachineArn, record);
    for (const entry of recovered.entries) {
      if (entry.op === 'put') this.machines.set(entry.machine.stateMachineArn, entry.machine);
      else this.machines.delete(entry.arn);
    }
    for (const record of this.machines.values()) {
      try {
        this.workflows.set(record.stateMachineArn, this.compile(record.name, record.definition));
      } catch (error) {
        this.workflows.set(record.stateMachineArn, error as Error);
      }
    }
    const stored = await this.store.load();
    for (const summary of stored.summaries) {
      this.summaries.set(summary.executionArn, summary);
      if (summary.status !== 'RUNNING') this.closedCount.set(summary.stateMachineArn, (this.closedCount.get(summary.stateMachineArn) ?? 0) + 1);
    }
    for (const record of stored.open) {
      this.open.set(record.executionArn, record);
      this.interrupted.add(record.executionArn);
    }
    this.prune();
  }
}

function readMachinesSnapshot(value: unknown, path: string): MachinesSnapshot {
  const machines = Array.isArray(value) ? value : (value as Partial<MachinesSnapshot> | null)?.machines;
  if (!Array.isArray(machines) || machines.some((machine) => typeof (machine as Partial<StateMachineRecord> | null)?.stateMachineArn !== 'string')) {
    throw new InvalidInput(`${path} is not a list of state machines; restore it from a backup or start again with --reset`, { path });
  }
  return { version: 1, machines: machines as StateMachineRecord[] };
}

function isEndEvent(event: HistoryEvent | undefined): boolean {
  return event !== undefined && /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(event.type);
}

/** For ends the runner did not record (a stored definition that fails to compile, a stop after a crash). */
function appendEndEvent(record: ExecutionRecord): void {
  if (isEndEvent(record.history.at(-1))) return;
  const id = record.history.length + 1;
  const details = { ...(record.error === undefined ? {} : { error: record.error }), ...(record.cause === undefined ? {} : { cause: record.cause }) };
  const [type, key] = record.status === 'ABORTED' ? ['ExecutionAborted', 'executionAbortedEventDetails'] : ['ExecutionFailed', 'executionFailedEventDetails'];
  record.history.push({ id, previousEventId: id - 1, timestamp: Date.now(), type, [key]: details });
}

function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: HistoryEvent = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object') continue;
    const details = { ...(value as Record<string, unknown>) };
    for (const field of ['input', 'output', 'parameters']) delete details[field];
    copy[key] = details;
  }
  return copy;
}

function checkRoleArn(roleArn: string): void {
  if (!ROLE_ARN.test(roleArn)) throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${roleArn}'`);
}

function checkType(type: string | undefined): 'STANDARD' | 'EXPRESS' {
  if (type === undefined || type === 'STANDARD' || type === 'EXPRESS') return type ?? 'STANDARD';
  throw validationError('type', type, 'Member must satisfy enum value set: [STANDARD, EXPRESS]');
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${errorMessage(error)}'`);
  }
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}

const invalidToken = (token: string): AwsServiceError => new AwsServiceError('InvalidToken', `Invalid Token: '${token}'`);
