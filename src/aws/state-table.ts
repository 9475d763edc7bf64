// The state table: one DynamoDB table (keys `pk`, `sk`, both strings) holding
//   FLEET / STATE            the fleet document (intents, locks, failover marks), see core/fleet-document.ts
//   APPS  / <hostname>       the app catalogue: each app's published endpoints
//   ALARMS / <alarm name>    the last alarm state Failover recorded (a health signal)
//   JOURNAL / <entry id>     every change: who, what, why, before, after
//   READBACK / <step>#<part> what a weight step intends in Route 53, read back once INSYNC
// Route 53 holds DNS truth; this table holds intent. The fleet document is written
// with a compare-and-set on its version, so a lock, the fleet-wide drain count and
// the intent they guard change in one atomic write (see docs/workflows.md).
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidInput, TransientAwsError } from '../core/errors.ts';
import { emptyFleetState, type FleetState } from '../core/fleet-document.ts';
import type { AlarmRecord, AppChange, AppEntry, JournalEntry, JournalQuery, StateTable } from '../core/ports.ts';
import { expectedCount, splitExpectations, type ExpectedGroup, type ReadBackRef } from '../core/verify.ts';

export const FLEET_KEY = { pk: 'FLEET', sk: 'STATE' } as const;
export const APPS_PK = 'APPS';
export const ALARMS_PK = 'ALARMS';
export const JOURNAL_PK = 'JOURNAL';
export const READ_BACK_PK = 'READBACK';

const readBackSk = (key: string, part: number) => `${key}#${String(part).padStart(4, '0')}`;

export interface DynamoStateTableOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Attempts of a conflicting fleet update before giving up with TransientAwsError. */
  maxConflictRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Milliseconds since an epoch (default Date.now): how old the remembered fleet document is. */
  nowMs?: () => number;
}

/**
 * How long updateFleet decides on the fleet document as this instance last read or wrote
 * it, without reading it first. The write's version condition still guards the decision;
 * a document another writer changed since costs one refused write more, so this is kept
 * short (a task's lease and its release, events close together).
 */
export const REMEMBERED_FLEET_MS = 10_000;

const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
]);

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** DynamoDB errors a retry can fix become TransientAwsError (Step Functions retries it). */
function mapError(operation: string, error: unknown): unknown {
  if (error instanceof Error && (TRANSIENT.has(error.name) || (error as { $retryable?: unknown }).$retryable)) {
    return new TransientAwsError(`state table ${operation}: ${error.name}: ${error.message}`, { operation }, error);
  }
  if (error instanceof Error && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up/.test(error.message)) {
    return new TransientAwsError(`state table ${operation}: ${error.message}`, { operation }, error);
  }
  return error;
}

/** Strips the key attributes a stored item carries (and an app entry's revision). */
function body<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, [REV]: _rev, ...rest } = item;
  return rest as T;
}

/**
 * Every write of an app entry stores a fresh random revision with it. listApps reads
 * every entry's revision (a consistent Query of the keys and revisions alone) and reads
 * in full only the entries whose revision it has not seen: an unchanged revision is an
 * unchanged entry, so the answer is what a full read would return, at a fraction of its
 * bytes. Entries written before revisions existed are read in full every time.
 */
const REV = 'rev';
/** Changed entries up to this many are read one GetItem each; more, and the whole catalogue is read again. */
const MAX_SINGLE_READS = 50;

/** An app entry as listApps hands it out: shared between calls, so frozen (a caller that changes one fails loudly). */
function frozenEntry(item: Record<string, unknown>): AppEntry {
  const entry = body<AppEntry>(item);
  for (const endpoint of entry.endpoints) {
    if (endpoint.annotations !== undefined) Object.freeze(endpoint.annotations);
    Object.freeze(endpoint);
  }
  Object.freeze(entry.endpoints);
  return Object.freeze(entry);
}

interface KnownEntry {
  rev: string;
  entry: AppEntry;
}

export class DynamoStateTable implements StateTable {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #maxConflictRetries: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #nowMs: () => number;
  /** The fleet document as this instance last read or wrote it (see REMEMBERED_FLEET_MS). */
  #lastFleet: { state: FleetState; atMs: number } | undefined;
  /** The catalogue as last read, by hostname (see REV). */
  #known = new Map<string, KnownEntry>();

  constructor(options: DynamoStateTableOptions) {
    this.#doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.#table = options.tableName;
    this.#maxConflictRetries = options.maxConflictRetries ?? 40;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  get tableName(): string {
    return this.#table;
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw mapError(operation, error);
    }
  }

  async readFleet(): Promise<FleetState> {
    const out = await this.#send('GetItem', () => this.#doc.send(new GetCommand({ TableName: this.#table, Key: FLEET_KEY, ConsistentRead: true })));
    const state = out.Item ? { ...emptyFleetState(), ...body<Partial<FleetState>>(out.Item) } : emptyFleetState();
    this.#remember(state);
    return state;
  }

  /**
   * A change decided on the remembered document (when recent) is written with the same
   * version condition as one decided on a fresh read: if it holds, the document was that
   * one, and the GetItem is saved. Anything else (refused write, no write, a throw) reads
   * the document and decides again, as without it.
   */
  async updateFleet<T>(change: (current: FleetState) => { next?: FleetState; result: T }): Promise<T> {
    const remembered = this.#rememberedFleet();
    if (remembered !== undefined) {
      let decided: { next?: FleetState; result: T } | undefined;
      try {
        decided = change(remembered);
      } catch {
        decided = undefined; // decided again below, on what the table holds now
      }
      if (decided?.next !== undefined && (await this.#writeFleet(remembered, decided.next))) return decided.result;
    }
    for (let attempt = 1; ; attempt++) {
      const current = await this.readFleet();
      const { next, result } = change(current);
      if (next === undefined) return result;
      if (await this.#writeFleet(current, next)) return result;
      // Someone else wrote first: read again and re-decide (the decision may differ now).
      await this.#afterConflict('the fleet document', attempt);
    }
  }

  /** Writes `next` if the stored document is still `current` (its version); false when it is not. */
  async #writeFleet(current: FleetState, next: FleetState): Promise<boolean> {
    const written: FleetState = { ...next, version: current.version + 1 };
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...FLEET_KEY, ...written },
          ...(current.version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': current.version } }),
        }),
      );
    } catch (error) {
      this.#lastFleet = undefined;
      if (!isConditionFailure(error)) throw mapError('PutItem', error);
      return false;
    }
    this.#remember(written);
    return true;
  }

  /** A copy of `state` is kept: a caller that changes the object it was given changes no later decision. */
  #remember(state: FleetState): void {
    this.#lastFleet = { state: structuredClone(state), atMs: this.#nowMs() };
  }

  #rememberedFleet(): FleetState | undefined {
    const last = this.#lastFleet;
    if (last === undefined) return undefined;
    const age = this.#nowMs() - last.atMs;
    if (!(age >= 0 && age <= REMEMBERED_FLEET_MS)) return undefined;
    return structuredClone(last.state);
  }

  async #afterConflict(what: string, attempt: number): Promise<void> {
    if (attempt >= this.#maxConflictRetries) {
      throw new TransientAwsError(`state table: ${what} kept changing under ${attempt} attempts; try again`, { attempts: attempt });
    }
    await this.#sleep(Math.floor(this.#random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
  }

  async #queryAll(input: Omit<QueryCommandInput, 'TableName'>, limit?: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#send('Query', () =>
        this.#doc.send(new QueryCommand({ TableName: this.#table, ...input, ...(start ? { ExclusiveStartKey: start } : {}) })),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && (limit === undefined || items.length < limit));
    return limit === undefined ? items : items.slice(0, limit);
  }

  async listApps(): Promise<AppEntry[]> {
    const keys = await this.#queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': APPS_PK },
      ProjectionExpression: 'sk, #rev',
      ExpressionAttributeNames: { '#rev': REV },
      ConsistentRead: true,
    });
    const listed = keys.map((item) => ({ hostname: item['sk'] as string, rev: typeof item[REV] === 'string' ? item[REV] : undefined }));
    const changed = listed.filter(({ hostname, rev }) => rev === undefined || this.#known.get(hostname)?.rev !== rev);
    if (changed.length > MAX_SINGLE_READS) return this.#readAllApps();
    const known = new Map<string, KnownEntry>();
    for (const { hostname, rev } of listed) if (rev !== undefined && this.#known.get(hostname)?.rev === rev) known.set(hostname, this.#known.get(hostname)!);
    const fresh = await Promise.all(changed.map(({ hostname }) => this.#getAppItem(hostname)));
    const freshBy = new Map(fresh.flatMap((item) => (item === undefined ? [] : [[item['sk'] as string, frozenEntry(item)] as const])));
    for (const item of fresh)
      if (item !== undefined && typeof item[REV] === 'string') known.set(item['sk'] as string, { rev: item[REV], entry: freshBy.get(item['sk'] as string)! });
    this.#known = known;
    // In the Query's order (by hostname); an entry deleted between the two reads is left out.
    return listed.flatMap(({ hostname }) => {
      const entry = freshBy.get(hostname) ?? known.get(hostname)?.entry;
      return entry === undefined ? [] : [entry];
    });
  }

  /** Every entry in full (and what listApps remembers of them). */
  async #readAllApps(): Promise<AppEntry[]> {
    const items = await this.#queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': APPS_PK }, ConsistentRead: true });
    const entries = items.map((item) => frozenEntry(item));
    this.#known = new Map(
      items.flatMap((item, i) => (typeof item[REV] === 'string' ? [[item['sk'] as string, { rev: item[REV], entry: entries[i]! }] as const] : [])),
    );
    return entries;
  }

  async #getAppItem(hostname: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.#send('GetItem', () =>
      this.#doc.send(new GetCommand({ TableName: this.#table, Key: { pk: APPS_PK, sk: hostname }, ConsistentRead: true })),
    );
    return out.Item;
  }

  async getApp(hostname: string): Promise<AppEntry | undefined> {
    const item = await this.#getAppItem(hostname);
    return item ? body<AppEntry>(item) : undefined;
  }

  async updateApp<T>(hostname: string, change: (current: AppEntry | undefined) => AppChange<T>): Promise<T> {
    const key = { pk: APPS_PK, sk: hostname };
    for (let attempt = 1; ; attempt++) {
      const current = await this.getApp(hostname);
      const { next, result } = change(current);
      if (next === undefined) return result;
      // The write holds only if the entry is still the one `change` saw.
      const condition =
        current === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : current.version === undefined
            ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#v)', ExpressionAttributeNames: { '#v': 'version' } }
            : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': current.version } };
      if (next === null && current === undefined) return result;
      try {
        if (next === null) {
          await this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: key, ...condition }));
        } else {
          const written: AppEntry = { ...next, hostname, version: (current?.version ?? 0) + 1 };
          await this.#doc.send(new PutCommand({ TableName: this.#table, Item: { ...key, ...written, [REV]: randomUUID() }, ...condition }));
        }
        return result;
      } catch (error) {
        if (!isConditionFailure(error)) throw mapError(next === null ? 'DeleteItem' : 'PutItem', error);
        await this.#afterConflict(`app ${hostname}`, attempt);
      }
    }
  }

  async putApp(entry: AppEntry): Promise<void> {
    await this.#send('PutItem', () =>
      this.#doc.send(new PutCommand({ TableName: this.#table, Item: { pk: APPS_PK, sk: entry.hostname, ...entry, [REV]: randomUUID() } })),
    );
  }

  async deleteApp(hostname: string): Promise<void> {
    await this.#send('DeleteItem', () => this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: { pk: APPS_PK, sk: hostname } })));
  }

  async recordAlarm(record: AlarmRecord): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: ALARMS_PK, sk: record.alarmName, ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR #t <= :t',
          ExpressionAttributeNames: { '#t': 'timestamp' },
          ExpressionAttributeValues: { ':t': record.timestamp },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw mapError('PutItem', error);
    }
  }

  async listAlarms(): Promise<AlarmRecord[]> {
    const items = await this.#queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': ALARMS_PK }, ConsistentRead: true });
    return items.map((item) => body<AlarmRecord>(item));
  }

  async appendJournal(entry: JournalEntry): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: JOURNAL_PK, sk: entry.id, ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw mapError('PutItem', error);
    }
  }

  async listJournal(query: JournalQuery = {}): Promise<JournalEntry[]> {
    // Ids start with the operation's start time, so the newest operations come first;
    // with a filter the whole journal is read (it is small next to DynamoDB's limits).
    const filtered = query.cluster !== undefined || query.since !== undefined;
    const items = await this.#queryAll(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': JOURNAL_PK }, ScanIndexForward: false },
      filtered ? undefined : query.limit,
    );
    let entries = items.map((item) => body<JournalEntry>(item));
    if (query.cluster !== undefined) entries = entries.filter((e) => e.cluster === query.cluster);
    if (query.since !== undefined) entries = entries.filter((e) => e.at >= query.since!);
    entries.sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
    return query.limit === undefined ? entries : entries.slice(0, query.limit);
  }

  /**
   * One item per part (splitExpectations keeps each under the item size limit), each
   * holding the parts' JSON as one string attribute and this write's id. A key is one
   * cluster's step, so what is stored stays bounded: the next operation rewrites it.
   */
  async putReadBack(key: string, expected: readonly ExpectedGroup[]): Promise<ReadBackRef> {
    const parts = splitExpectations(expected);
    const ref: ReadBackRef = { key, id: randomUUID(), parts: parts.length, sets: expectedCount(expected) };
    await Promise.all(
      parts.map((groups, part) =>
        this.#send('PutItem', () =>
          this.#doc.send(
            new PutCommand({
              TableName: this.#table,
              Item: { pk: READ_BACK_PK, sk: readBackSk(key, part), id: ref.id, part, parts: ref.parts, groups: JSON.stringify(groups) },
            }),
          ),
        ),
      ),
    );
    return ref;
  }

  async getReadBack(ref: ReadBackRef): Promise<ExpectedGroup[]> {
    const items = await Promise.all(
      Array.from({ length: ref.parts }, (_, part) =>
        this.#send('GetItem', () =>
          this.#doc.send(new GetCommand({ TableName: this.#table, Key: { pk: READ_BACK_PK, sk: readBackSk(ref.key, part) }, ConsistentRead: true })),
        ),
      ),
    );
    const groups: ExpectedGroup[] = [];
    items.forEach((out, part) => {
      const item = out.Item;
      if (item === undefined || item['id'] !== ref.id || typeof item['groups'] !== 'string') {
        const found = item === undefined ? 'nothing' : `write ${String(item['id'])}`;
        throw new InvalidInput(
          `read-back ${ref.key} (write ${ref.id}): part ${part + 1} of ${ref.parts} holds ${found}: the step's intention was replaced or lost`,
          {
            ref,
          },
        );
      }
      groups.push(...(JSON.parse(item['groups']) as ExpectedGroup[]));
    });
    if (expectedCount(groups) !== ref.sets)
      throw new InvalidInput(`read-back ${ref.key} (write ${ref.id}): ${expectedCount(groups)} sets stored, ${ref.sets} written`, { ref });
    return groups;
  }
}

/**
 * Creates the table (on-demand capacity) if it does not exist and waits until it is
 * ACTIVE. For the local runtime and tests; on AWS the stack creates it.
 */
export async function ensureStateTable(
  client: DynamoDBClient,
  tableName: string,
  sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw mapError('CreateTable', error);
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await sleep(50);
  }
  throw new TransientAwsError(`state table ${tableName} did not become ACTIVE`, { tableName });
}
