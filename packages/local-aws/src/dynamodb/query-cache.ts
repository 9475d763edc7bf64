// Repeated Queries of a partition that nobody wrote to since are answered from memory.
//
// dynalite reads every item of a queried partition from its store and decodes it whole,
// also for a projection of two attributes: a Query of a partition of 10,000 items costs
// hundreds of milliseconds however little it returns. Every write to a table passes through
// this endpoint (dynalite listens on a private port), so the endpoint knows exactly when a
// partition changes: a Query's answer is kept until the next write to its partition, and
// a repeated Query (the same body: same table, key condition, projection, page) gets the
// same bytes dynalite would answer. A Query that ran while a write to its partition was in
// flight is not kept, so an answer from memory never predates a write that had been
// answered when the Query arrived. Nothing is kept across a restart.
//
// Kept: Queries of a table's own key (not of an index) whose key condition names the
// partition with `=`, answered 200. A write is PutItem, UpdateItem, DeleteItem or
// BatchWriteItem (its partitions); any other request that is not a plain read drops what
// is kept for its table (every table when it names none).

import { randomBytes } from 'node:crypto';

/** An answer as the service hands it back. */
export interface CachedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Requests that read and change nothing. */
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'DescribeTable', 'ListTables', 'DescribeTimeToLive', 'ListTagsOfResource']);
const ITEM_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/** At most this many answers, and this many bytes of them, are kept (the oldest go first). */
const MAX_ENTRIES = 512;
const MAX_BYTES = 64 * 1024 * 1024;
/** Past this many partitions with an epoch, those nothing depends on any more are forgotten. */
const MAX_EPOCHS = 10_000;

interface Entry {
  partition: string;
  epoch: number;
  answer: CachedAnswer;
  /** The answer's body in bytes. */
  bytes: number;
}

type Json = Record<string, unknown>;

/** A partition's name: the table and the hash key's value (its AttributeValue as JSON). */
const partitionOf = (table: string, value: unknown) => `${table}\n${JSON.stringify(value)}`;

/** The operation named by `X-Amz-Target: DynamoDB_20120810.<Operation>`. */
export function operationOf(target: string): string {
  return target.slice(target.indexOf('.') + 1);
}

export class QueryCache {
  /** Bumped at the start and at the end of every write to a partition (and on table changes). */
  #epochs = new Map<string, number>();
  #writing = new Map<string, number>();
  /** Queries in flight per partition (their epoch must not be forgotten under them). */
  #querying = new Map<string, number>();
  #entries = new Map<string, Entry>();
  #bytes = 0;
  /** Each table's hash key attribute, as DescribeTable says. */
  #hashKeys = new Map<string, string>();
  hits = 0;
  misses = 0;

  readonly #describeHashKey: (table: string) => Promise<string | undefined>;

  constructor(describeHashKey: (table: string) => Promise<string | undefined>) {
    this.#describeHashKey = describeHashKey;
  }

  async #hashKey(table: string): Promise<string | undefined> {
    let name = this.#hashKeys.get(table);
    if (name === undefined) {
      name = await this.#describeHashKey(table);
      if (name !== undefined) this.#hashKeys.set(table, name);
    }
    return name;
  }

  #epoch(partition: string): number {
    return this.#epochs.get(partition) ?? 0;
  }

  #bump(partition: string): void {
    this.#epochs.set(partition, this.#epoch(partition) + 1);
  }

  /** Drops everything kept for `table` (undefined: for every table), and what is known of its keys. */
  #forgetTable(table: string | undefined): void {
    for (const [key, entry] of this.#entries) {
      if (table === undefined || entry.partition.startsWith(`${table}\n`)) this.#drop(key, entry);
    }
    if (table === undefined) this.#hashKeys.clear();
    else this.#hashKeys.delete(table);
  }

  #drop(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  /**
   * Runs `forward` for one request (its operation and parsed body), answering from memory
   * when it can and keeping what it may.
   */
  async run(operation: string, body: Json | undefined, rawBody: string, forward: () => Promise<CachedAnswer>): Promise<CachedAnswer> {
    const table = typeof body?.['TableName'] === 'string' ? (body['TableName'] as string) : undefined;
    if (operation === 'Query' && table !== undefined && body !== undefined && body['IndexName'] === undefined)
      return this.#query(table, body, rawBody, forward);
    if (ITEM_WRITES.has(operation) && body !== undefined) {
      const partitions = await this.#written(operation, body);
      if (partitions !== undefined) return this.#write(partitions, forward);
    }
    if (READS.has(operation)) return forward();
    // A table created, changed or deleted, or a request this cache does not understand.
    this.#forgetTable(table);
    try {
      return await forward();
    } finally {
      this.#forgetTable(table);
    }
  }

  async #query(table: string, body: Json, rawBody: string, forward: () => Promise<CachedAnswer>): Promise<CachedAnswer> {
    const hashKey = await this.#hashKey(table);
    const value = hashKey === undefined ? undefined : partitionValue(body, hashKey);
    if (value === undefined) return forward();
    const partition = partitionOf(table, value);
    const key = `${table}\n${rawBody}`;
    const kept = this.#entries.get(key);
    if (kept !== undefined && kept.epoch === this.#epoch(partition) && !this.#writing.get(partition)) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, kept);
      this.hits++;
      // The same bytes, under a request id of its own.
      return { ...kept.answer, headers: { ...kept.answer.headers, 'x-amzn-requestid': randomBytes(26).toString('hex').toUpperCase() } };
    }
    this.misses++;
    const epoch = this.#epoch(partition);
    const quiet = !this.#writing.get(partition);
    this.#querying.set(partition, (this.#querying.get(partition) ?? 0) + 1);
    let answer: CachedAnswer;
    try {
      answer = await forward();
    } finally {
      const left = (this.#querying.get(partition) ?? 1) - 1;
      if (left === 0) this.#querying.delete(partition);
      else this.#querying.set(partition, left);
    }
    if (answer.status === 200 && quiet && !this.#writing.get(partition) && this.#epoch(partition) === epoch)
      this.#keep(key, { partition, epoch, answer, bytes: Buffer.byteLength(answer.body) });
    return answer;
  }

  /** Forgets the epochs of partitions nothing kept, written or queried depends on (they start again from 0). */
  #pruneEpochs(): void {
    if (this.#epochs.size <= MAX_EPOCHS) return;
    const kept = new Set([...this.#entries.values()].map((e) => e.partition));
    for (const partition of this.#epochs.keys()) {
      if (!kept.has(partition) && !this.#writing.has(partition) && !this.#querying.has(partition)) this.#epochs.delete(partition);
    }
  }

  #keep(key: string, entry: Entry): void {
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#drop(key, previous);
    if (entry.bytes > MAX_BYTES) return;
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    for (const [oldKey, old] of this.#entries) {
      if (this.#entries.size <= MAX_ENTRIES && this.#bytes <= MAX_BYTES) break;
      this.#drop(oldKey, old);
    }
  }

  async #write(partitions: readonly string[], forward: () => Promise<CachedAnswer>): Promise<CachedAnswer> {
    this.#pruneEpochs();
    for (const p of partitions) {
      this.#bump(p);
      this.#writing.set(p, (this.#writing.get(p) ?? 0) + 1);
    }
    try {
      return await forward();
    } finally {
      for (const p of partitions) {
        this.#bump(p);
        const left = (this.#writing.get(p) ?? 1) - 1;
        if (left === 0) this.#writing.delete(p);
        else this.#writing.set(p, left);
      }
    }
  }

  /** The partitions a write changes; undefined when they cannot be told (the write then drops its tables' answers). */
  async #written(operation: string, body: Json): Promise<string[] | undefined> {
    const requests: Array<{ table: string; key: unknown }> = [];
    if (operation === 'BatchWriteItem') {
      const byTable = body['RequestItems'];
      if (byTable === null || typeof byTable !== 'object') return undefined;
      for (const [table, list] of Object.entries(byTable as Json)) {
        if (!Array.isArray(list)) return undefined;
        for (const request of list as Json[]) {
          const put = (request?.['PutRequest'] as Json | undefined)?.['Item'];
          const del = (request?.['DeleteRequest'] as Json | undefined)?.['Key'];
          requests.push({ table, key: put ?? del });
        }
      }
    } else {
      if (typeof body['TableName'] !== 'string') return undefined;
      requests.push({ table: body['TableName'], key: operation === 'PutItem' ? body['Item'] : body['Key'] });
    }
    const partitions = new Set<string>();
    for (const { table, key } of requests) {
      const hashKey = await this.#hashKey(table);
      const value = hashKey === undefined || key === null || typeof key !== 'object' ? undefined : (key as Json)[hashKey];
      if (value === undefined) {
        this.#forgetTable(table);
        return undefined;
      }
      partitions.add(partitionOf(table, value));
    }
    return [...partitions];
  }
}

/**
 * The hash key's value a Query's key condition fixes (`KeyConditionExpression` with
 * `<hash key> = :value`, or the legacy `KeyConditions` EQ); undefined when there is none.
 */
export function partitionValue(body: Json, hashKey: string): unknown {
  const expression = body['KeyConditionExpression'];
  if (typeof expression === 'string') {
    const names = (body['ExpressionAttributeNames'] ?? {}) as Record<string, string>;
    const values = (body['ExpressionAttributeValues'] ?? {}) as Record<string, unknown>;
    for (const match of expression.matchAll(/([#\w.]+)\s*=\s*(:\w+)/g)) {
      const name = match[1]!.startsWith('#') ? names[match[1]!] : match[1];
      if (name === hashKey) return values[match[2]!];
    }
    return undefined;
  }
  const condition = (body['KeyConditions'] as Record<string, { ComparisonOperator?: string; AttributeValueList?: unknown[] }> | undefined)?.[hashKey];
  return condition?.ComparisonOperator === 'EQ' ? condition.AttributeValueList?.[0] : undefined;
}
