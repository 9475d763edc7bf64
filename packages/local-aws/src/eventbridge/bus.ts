// The local event bus: event buses, rules with EventBridge pattern matching, targets
// (Step Functions state machines, Lambda functions run in process, or in-process
// callbacks), scheduled rules, and a bounded log of recent events for the status view.
// Errors are AwsServiceError with EventBridge's codes. Buses, rules and targets persist
// under the state folder as a snapshot (`eventbridge/rules.json`) and its change log
// (../journal.ts): a change appends the one bus or rule it touched, and `flush()`
// resolves once it is on disk. Events are not kept (EventBridge does not keep them either).
import { join } from 'node:path';
import { errorMessage } from '../errors.ts';
import { AwsServiceError, validationError } from '../aws-json.ts';
import { InvalidInput } from '../errors.ts';
import { Journal } from '../journal.ts';
import { invokeInProcess, type LambdaHandler } from '../stepfunctions/lambda-invoke.ts';
import { readReferencePath } from '../stepfunctions/reference-path.ts';
import { eventFromEntry, isEntryFailure, parseTestEvent, serviceEvent, type BusEvent, type PutEventsEntry } from './envelope.ts';
import { checkPutEventsSize, MAX_PUT_EVENTS_ENTRIES } from './limits.ts';
import { compilePattern, FlattenedEvent, InvalidEventPattern, type CompiledPattern } from './pattern.ts';
import { parseSchedule } from './schedule.ts';

export const DEFAULT_BUS = 'default';

export interface TargetRecord {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  RoleArn?: string;
}

export interface RuleRecord {
  Name: string;
  EventBusName: string;
  Arn: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  Description?: string;
  RoleArn?: string;
  targets: TargetRecord[];
}

export interface Delivery {
  rule: string;
  targetId: string;
  arn: string;
  status: 'pending' | 'delivered' | 'failed';
  error?: string;
}

export interface RecentEvent {
  bus: string;
  event: BusEvent;
  receivedAt: string;
  deliveries: Delivery[];
}

/** An in-process target: gets the event (or the target's Input/InputPath selection). */
export type TargetCallback = (input: unknown, event: BusEvent) => Promise<unknown> | unknown;

export interface EventBusOptions {
  region?: string;
  accountId?: string;
  /** Folder for persistent state (e.g. `.switchyard`); none keeps everything in memory. */
  stateDir?: string;
  /** Starts a Step Functions execution for state machine targets (LocalStepFunctions.startExecution). */
  startExecution?: (stateMachineArn: string, input: string) => unknown;
  /** Lambda targets (arn:aws:lambda:...:function:<name>) run these in process, by function name. */
  handlers?: Record<string, LambdaHandler>;
  /** How many recent events the log keeps (default 200). */
  recentLimit?: number;
  /** Compact the change log once it holds this many bytes (default 4 MiB; tests). */
  compactAfterBytes?: number;
}

/** The snapshot: what `rules.json` held before the change log, so earlier files load unchanged. */
interface BusSnapshot {
  buses: string[];
  rules: RuleRecord[];
}

/** One log entry: a bus or a rule (with its targets) as it is after the change. */
type BusEntry =
  { op: 'bus'; name: string } | { op: 'deleteBus'; name: string } | { op: 'rule'; rule: RuleRecord } | { op: 'deleteRule'; bus: string; name: string };

interface PutEventsResult {
  Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
  FailedEntryCount: number;
}

const RULE_NAME = /^[.\-_A-Za-z0-9]+$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]+$/;
const STATES = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];

export class LocalEventBus {
  readonly place: { region: string; accountId: string };
  private readonly options: EventBusOptions;
  private readonly buses = new Set<string>([DEFAULT_BUS]);
  private readonly rules = new Map<string, RuleRecord>();
  private readonly patterns = new Map<string, CompiledPattern>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly callbacks = new Map<string, TargetCallback>();
  private readonly recent: RecentEvent[] = [];
  private readonly problems: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private journal: Journal<BusSnapshot, BusEntry> | undefined;
  private closed = false;

  private constructor(options: EventBusOptions) {
    this.options = options;
    this.place = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  }

  static async open(options: EventBusOptions = {}): Promise<LocalEventBus> {
    const bus = new LocalEventBus(options);
    await bus.load();
    return bus;
  }

  // ---- buses ---------------------------------------------------------------------

  createEventBus(name: string): { EventBusArn: string } {
    checkLength('name', name, 256);
    if (!BUS_NAME.test(name)) throw validationError('name', name, 'Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+');
    // (wording ours) Only partner event buses (named after their event source) may hold a '/'.
    if (name.includes('/'))
      throw new AwsServiceError('ValidationException', `Event bus name ${name} is not valid: a custom event bus name cannot contain '/'.`);
    if (name === DEFAULT_BUS) throw new AwsServiceError('ValidationException', 'The event bus name "default" is reserved for the default event bus.');
    if (this.buses.has(name)) throw new AwsServiceError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    this.buses.add(name);
    this.save({ op: 'bus', name });
    return { EventBusArn: this.busArn(name) };
  }

  deleteEventBus(name: string): void {
    if (name === DEFAULT_BUS) throw new AwsServiceError('ValidationException', 'Cannot delete event bus default.');
    if (!this.buses.has(name)) return;
    this.dropBus(name);
    this.save({ op: 'deleteBus', name });
  }

  listEventBuses(): Array<{ Name: string; Arn: string }> {
    return [...this.buses].sort().map((name) => ({ Name: name, Arn: this.busArn(name) }));
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.place.region}:${this.place.accountId}:event-bus/${name}`;
  }

  /** A bus name or ARN, resolved to an existing bus's name. */
  private bus(nameOrArn: string | undefined): string {
    const name =
      nameOrArn === undefined || nameOrArn === ''
        ? DEFAULT_BUS
        : nameOrArn.startsWith('arn:')
          ? nameOrArn.slice(nameOrArn.indexOf('event-bus/') + 'event-bus/'.length)
          : nameOrArn;
    if (!this.buses.has(name)) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return name;
  }

  // ---- events --------------------------------------------------------------------

  /** PutEvents: each entry is validated on its own; valid ones are delivered asynchronously. */
  putEvents(entries: PutEventsEntry[]): PutEventsResult {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_PUT_EVENTS_ENTRIES) {
      throw validationError('entries', entries, `Member must have length less than or equal to ${MAX_PUT_EVENTS_ENTRIES} and greater than or equal to 1`);
    }
    checkPutEventsSize(entries);
    const now = new Date();
    const results = entries.map((entry) => {
      let bus: string;
      try {
        bus = this.bus(typeof entry.EventBusName === 'string' ? entry.EventBusName : undefined);
      } catch (error) {
        return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: errorMessage(error) };
      }
      const event = eventFromEntry(entry, this.place, now);
      if (isEntryFailure(event)) return event;
      this.publish(bus, event);
      return { EventId: event.id };
    });
    return { Entries: results, FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length };
  }

  /** Publishes an event as an AWS service would (no PutEvents checks; `aws.*` sources allowed). */
  injectEvent(fields: { source: string; detailType: string; detail: unknown; resources?: string[]; time?: Date }, busName = DEFAULT_BUS): BusEvent {
    const event = serviceEvent(fields, this.place);
    this.publish(this.bus(busName), event);
    return event;
  }

  /** TestEventPattern: Result as EventBridge gives it. */
  testEventPattern(pattern: string, eventText: string): boolean {
    const compiled = compileOrThrow(pattern);
    const event = parseTestEvent(eventText);
    if (event === undefined) throw new AwsServiceError('ValidationException', 'Parameter Event is not valid.');
    return compiled.matches(event);
  }

  /** What loading the stored rules could not take (rules whose stored pattern is refused). */
  loadProblems(): readonly string[] {
    return this.problems;
  }

  /** The newest events last, with where they went. */
  recentEvents(): readonly RecentEvent[] {
    return this.recent;
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private publish(bus: string, event: BusEvent): void {
    const record: RecentEvent = { bus, event, receivedAt: new Date().toISOString(), deliveries: [] };
    this.recent.push(record);
    const limit = this.options.recentLimit ?? 200;
    if (this.recent.length > limit) this.recent.splice(0, this.recent.length - limit);
    // Flattened once for all the bus's rules.
    const flat = new FlattenedEvent(event);
    for (const rule of this.rules.values()) {
      if (rule.EventBusName !== bus || rule.State === 'DISABLED') continue;
      const pattern = this.patterns.get(ruleKey(rule.EventBusName, rule.Name));
      if (pattern === undefined || !pattern.matches(flat)) continue;
      this.deliverToTargets(rule, event, record);
    }
  }

  private deliverToTargets(rule: RuleRecord, event: BusEvent, record: RecentEvent): void {
    for (const target of rule.targets) {
      const delivery: Delivery = { rule: rule.Name, targetId: target.Id, arn: target.Arn, status: 'pending' };
      record.deliveries.push(delivery);
      // Asynchronous like EventBridge: PutEvents answers before targets run.
      const work = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.deliver(target, event))
        .then(
          () => {
            delivery.status = 'delivered';
          },
          (error: unknown) => {
            delivery.status = 'failed';
            delivery.error = errorMessage(error);
          },
        )
        .finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }
  }

  private async deliver(target: TargetRecord, event: BusEvent): Promise<void> {
    const input =
      target.Input !== undefined
        ? (JSON.parse(target.Input) as unknown)
        : target.InputPath !== undefined
          ? readReferencePath(target.InputPath, event, {})
          : event;
    const callback = this.callbacks.get(target.Arn);
    if (callback !== undefined) {
      await callback(input, event);
      return;
    }
    if (/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:/.test(target.Arn)) {
      if (this.options.startExecution === undefined) throw new Error('no Step Functions service is connected to the bus');
      await this.options.startExecution(target.Arn, JSON.stringify(input ?? null));
      return;
    }
    const lambda = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)/.exec(target.Arn);
    const handler = lambda === null ? undefined : this.options.handlers?.[lambda[1]!];
    if (lambda !== null && handler !== undefined) {
      await invokeInProcess(handler, input, { functionName: lambda[1]!, ...this.place, deadline: Date.now() + 900_000 });
      return;
    }
    throw new Error(`no local target for ${target.Arn}`);
  }

  /** Routes deliveries to targets with this ARN to an in-process function. */
  registerTarget(arn: string, callback: TargetCallback): void {
    this.callbacks.set(arn, callback);
  }

  // ---- rules ---------------------------------------------------------------------

  putRule(request: {
    Name: string;
    EventBusName?: string;
    EventPattern?: string;
    ScheduleExpression?: string;
    State?: string;
    Description?: string;
    RoleArn?: string;
  }): { RuleArn: string } {
    checkLength('name', request.Name, 64);
    if (!RULE_NAME.test(request.Name)) throw validationError('name', request.Name, 'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+');
    const busName = this.bus(request.EventBusName);
    if (request.EventPattern === undefined && request.ScheduleExpression === undefined) {
      throw new AwsServiceError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    if (request.State !== undefined && !STATES.includes(request.State))
      throw validationError('state', request.State, `Member must satisfy enum value set: [${STATES.join(', ')}]`);
    const pattern = request.EventPattern === undefined ? undefined : compileOrThrow(request.EventPattern);
    if (request.ScheduleExpression !== undefined) {
      if (busName !== DEFAULT_BUS) throw new AwsServiceError('ValidationException', 'ScheduleExpression is supported only on the default event bus.');
      if (parseSchedule(request.ScheduleExpression) === undefined)
        throw new AwsServiceError('ValidationException', 'Parameter ScheduleExpression is not valid.');
    }
    const key = ruleKey(busName, request.Name);
    const existing = this.rules.get(key);
    const rule: RuleRecord = {
      Name: request.Name,
      EventBusName: busName,
      Arn: this.ruleArn(busName, request.Name),
      State: (request.State as RuleRecord['State'] | undefined) ?? 'ENABLED',
      targets: existing?.targets ?? [],
      ...(request.EventPattern === undefined ? {} : { EventPattern: request.EventPattern }),
      ...(request.ScheduleExpression === undefined ? {} : { ScheduleExpression: request.ScheduleExpression }),
      ...(request.Description === undefined ? {} : { Description: request.Description }),
      ...(request.RoleArn === undefined ? {} : { RoleArn: request.RoleArn }),
    };
    this.rules.set(key, rule);
    if (pattern === undefined) this.patterns.delete(key);
    else this.patterns.set(key, pattern);
    this.schedule(rule);
    this.save({ op: 'rule', rule });
    return { RuleArn: rule.Arn };
  }

  deleteRule(request: { Name: string; EventBusName?: string; Force?: boolean }): void {
    const key = ruleKey(this.bus(request.EventBusName), request.Name);
    const rule = this.rules.get(key);
    if (rule === undefined) return;
    if (rule.targets.length > 0) throw new AwsServiceError('ValidationException', "Rule can't be deleted since it has targets.");
    this.dropRule(key);
    this.save({ op: 'deleteRule', bus: rule.EventBusName, name: rule.Name });
  }

  describeRule(request: { Name: string; EventBusName?: string }): RuleRecord {
    return this.rule(request.Name, request.EventBusName);
  }

  listRules(request: { NamePrefix?: string; EventBusName?: string } = {}): RuleRecord[] {
    const busName = this.bus(request.EventBusName);
    return [...this.rules.values()]
      .filter((rule) => rule.EventBusName === busName && (request.NamePrefix === undefined || rule.Name.startsWith(request.NamePrefix)))
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /** Adds or replaces targets by Id; returns the entries that failed, as EventBridge does. */
  putTargets(request: { Rule: string; EventBusName?: string; Targets: Array<Record<string, unknown>> }): {
    FailedEntryCount: number;
    FailedEntries: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }>;
  } {
    const rule = this.rule(request.Rule, request.EventBusName);
    if (!Array.isArray(request.Targets) || request.Targets.length === 0 || request.Targets.length > 10) {
      throw validationError('targets', request.Targets, 'Member must have length less than or equal to 10 and greater than or equal to 1');
    }
    const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
    // A copy: a request refused part-way changes nothing.
    const targets = [...rule.targets];
    for (const target of request.Targets) {
      const id = target['Id'];
      const arn = target['Arn'];
      if (typeof id !== 'string' || !TARGET_ID.test(id))
        throw validationError('targets.member.id', id, 'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+');
      if (typeof arn !== 'string' || arn === '') throw validationError('targets.member.arn', arn, 'Member must not be null');
      const problem = unsupportedTargetField(target);
      if (problem !== undefined) {
        failed.push({ TargetId: id, ErrorCode: 'ValidationException', ErrorMessage: problem });
        continue;
      }
      if (typeof target['Input'] === 'string') {
        try {
          JSON.parse(target['Input']);
        } catch {
          failed.push({ TargetId: id, ErrorCode: 'ValidationException', ErrorMessage: `Target ${id}: Input is not valid JSON.` });
          continue;
        }
      }
      const record: TargetRecord = {
        Id: id,
        Arn: arn,
        ...(typeof target['Input'] === 'string' ? { Input: target['Input'] } : {}),
        ...(typeof target['InputPath'] === 'string' ? { InputPath: target['InputPath'] } : {}),
        ...(typeof target['RoleArn'] === 'string' ? { RoleArn: target['RoleArn'] } : {}),
      };
      const index = targets.findIndex((existing) => existing.Id === id);
      if (index >= 0) targets[index] = record;
      else if (targets.length >= 5) {
        failed.push({
          TargetId: id,
          ErrorCode: 'LimitExceededException',
          ErrorMessage: 'The requested resource exceeds the maximum number allowed (5 targets per rule).',
        });
        continue;
      } else targets.push(record);
    }
    rule.targets = targets;
    this.save({ op: 'rule', rule });
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  removeTargets(request: { Rule: string; EventBusName?: string; Ids: string[] }): { FailedEntryCount: number; FailedEntries: never[] } {
    const rule = this.rule(request.Rule, request.EventBusName);
    if (!Array.isArray(request.Ids) || request.Ids.length === 0)
      throw validationError('ids', request.Ids, 'Member must have length greater than or equal to 1');
    rule.targets = rule.targets.filter((target) => !request.Ids.includes(target.Id));
    this.save({ op: 'rule', rule });
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  listTargetsByRule(request: { Rule: string; EventBusName?: string }): TargetRecord[] {
    return [...this.rule(request.Rule, request.EventBusName).targets];
  }

  /** Fires a scheduled rule now (what its timer does), e.g. to run Reconcile on demand. */
  triggerRule(name: string, busName = DEFAULT_BUS): BusEvent {
    const rule = this.rule(name, busName);
    const event = serviceEvent({ source: 'aws.events', detailType: 'Scheduled Event', detail: {}, resources: [rule.Arn] }, this.place);
    const record: RecentEvent = { bus: rule.EventBusName, event, receivedAt: new Date().toISOString(), deliveries: [] };
    this.recent.push(record);
    this.deliverToTargets(rule, event, record);
    return event;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    await this.idle();
    await this.journal?.close(this.snapshot());
  }

  // ---- internals -----------------------------------------------------------------

  private ruleArn(busName: string, name: string): string {
    const path = busName === DEFAULT_BUS ? name : `${busName}/${name}`;
    return `arn:aws:events:${this.place.region}:${this.place.accountId}:rule/${path}`;
  }

  private rule(name: string, busName: string | undefined): RuleRecord {
    const bus = this.bus(busName);
    const rule = this.rules.get(ruleKey(bus, name));
    if (rule === undefined) throw new AwsServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
    return rule;
  }

  private dropBus(name: string): void {
    this.buses.delete(name);
    for (const [key, rule] of this.rules) if (rule.EventBusName === name) this.dropRule(key);
  }

  private dropRule(key: string): void {
    this.rules.delete(key);
    this.patterns.delete(key);
    const timer = this.timers.get(key);
    if (timer !== undefined) clearInterval(timer);
    this.timers.delete(key);
  }

  private schedule(rule: RuleRecord): void {
    const key = ruleKey(rule.EventBusName, rule.Name);
    const existing = this.timers.get(key);
    if (existing !== undefined) clearInterval(existing);
    this.timers.delete(key);
    const schedule = rule.ScheduleExpression === undefined ? undefined : parseSchedule(rule.ScheduleExpression);
    if (schedule?.kind !== 'rate' || rule.State === 'DISABLED' || this.closed) return;
    const timer = setInterval(() => this.triggerRule(rule.Name, rule.EventBusName), schedule.milliseconds);
    timer.unref();
    this.timers.set(key, timer);
  }

  private snapshot(): BusSnapshot {
    return { buses: [...this.buses], rules: [...this.rules.values()] };
  }

  private save(entry: BusEntry): void {
    if (this.closed) return;
    // Copied now: later changes to the rule must not reach this entry. A failed write is
    // reported by flush(), which every API answer waits for.
    const copy: BusEntry = entry.op === 'rule' ? { op: 'rule', rule: { ...entry.rule, targets: [...entry.rule.targets] } } : entry;
    this.journal?.append(copy, () => this.snapshot()).catch(() => undefined);
  }

  /** Resolves when every change so far is on disk; rejects when a write failed. */
  async flush(): Promise<void> {
    await this.journal?.flush();
  }

  private async load(): Promise<void> {
    if (this.options.stateDir === undefined) return;
    const { journal, recovered } = Journal.open<BusSnapshot, BusEntry>(join(this.options.stateDir, 'eventbridge', 'rules.json'), readBusSnapshot, {
      label: 'EventBridge rules file',
      ...(this.options.compactAfterBytes === undefined ? {} : { compactAfterBytes: this.options.compactAfterBytes }),
    });
    this.journal = journal;
    for (const bus of recovered.snapshot?.buses ?? []) this.buses.add(bus);
    for (const rule of recovered.snapshot?.rules ?? []) this.rules.set(ruleKey(rule.EventBusName, rule.Name), rule);
    for (const entry of recovered.entries) {
      if (entry.op === 'bus') this.buses.add(entry.name);
      else if (entry.op === 'deleteBus') this.dropBus(entry.name);
      else if (entry.op === 'rule') this.rules.set(ruleKey(entry.rule.EventBusName, entry.rule.Name), entry.rule);
      else this.rules.delete(ruleKey(entry.bus, entry.name));
    }
    for (const [key, rule] of this.rules) {
      // A pattern stored by an earlier version that this one refuses: the rule is kept (so it
      // can be described, fixed with PutRule or deleted) but matches nothing, and is reported.
      if (rule.EventPattern !== undefined) {
        try {
          this.patterns.set(key, compilePattern(rule.EventPattern));
        } catch (error) {
          if (!(error instanceof InvalidEventPattern)) throw error;
          this.problems.push(`rule ${rule.Name} on bus ${rule.EventBusName} matches nothing until its pattern is fixed: ${error.message}`);
        }
      }
      this.schedule(rule);
    }
  }
}

function readBusSnapshot(value: unknown, path: string): BusSnapshot {
  const stored = value as Partial<BusSnapshot> | null;
  if (stored === null || typeof stored !== 'object' || !Array.isArray(stored.buses) || !Array.isArray(stored.rules)) {
    throw new InvalidInput(`EventBridge rules file ${path} is not a list of buses and rules; restore it from a backup or start again with --reset`, { path });
  }
  return { buses: stored.buses, rules: stored.rules };
}

/** A name's length constraint, checked before its pattern as AWS does. */
function checkLength(field: string, value: string, max: number): void {
  if (value.length < 1) throw validationError(field, value, 'Member must have length greater than or equal to 1');
  if (value.length > max) throw validationError(field, value, `Member must have length less than or equal to ${max}`);
}

function ruleKey(busName: string, name: string): string {
  return `${busName}\u0000${name}`;
}

// PutRule's EventPattern is at most 4,096 characters (API constraint); the account quota
// "Event pattern size" defaults to 2,048 (docs/local-runtime.md, "Event patterns").
const EVENT_PATTERN_API_MAX = 4096;
const EVENT_PATTERN_QUOTA = 2048;

function compileOrThrow(pattern: string): CompiledPattern {
  if (pattern.length > EVENT_PATTERN_API_MAX) {
    throw validationError('eventPattern', pattern, `Member must have length less than or equal to ${EVENT_PATTERN_API_MAX}`);
  }
  if (pattern.length > EVENT_PATTERN_QUOTA) {
    throw new AwsServiceError(
      'InvalidEventPatternException',
      `Event pattern is not valid. Reason: Event pattern is ${pattern.length} characters, over the event pattern size quota of ${EVENT_PATTERN_QUOTA}`,
    );
  }
  try {
    return compilePattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPattern) throw new AwsServiceError('InvalidEventPatternException', error.message);
    throw error;
  }
}

function unsupportedTargetField(target: Record<string, unknown>): string | undefined {
  for (const field of [
    'InputTransformer',
    'SqsParameters',
    'EcsParameters',
    'BatchParameters',
    'HttpParameters',
    'RedshiftDataParameters',
    'SageMakerPipelineParameters',
    'KinesisParameters',
    'RunCommandParameters',
  ]) {
    if (target[field] !== undefined) return `Target ${String(target['Id'])}: ${field} is not supported by the local event bus`;
  }
  return undefined;
}
