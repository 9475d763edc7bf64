// The local DynamoDB answers a repeated Query of an unchanged partition from memory
// (src/dynamodb/query-cache.ts). What a client reads must be what dynalite would answer:
// every write to the partition, of any kind, is seen by the next Query; writes elsewhere
// keep the answer; a random mix of writes and queries reads like a plain map (property
// test: fast-check prints the seed on failure).
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, type LocalDynamoDb } from '../../src/dynamodb/service.ts';
import { clientConfig, serve } from './harness.ts';

const TABLE = 'cache-test';
let service: LocalDynamoDb;
let endpoint: Awaited<ReturnType<typeof serve>>;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

async function createTable(name = TABLE): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

beforeAll(async () => {
  service = await startDynamoDb();
  endpoint = await serve(service);
  client = new DynamoDBClient(clientConfig(endpoint));
  doc = DynamoDBDocumentClient.from(client);
  await createTable();
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

/** Every item of a partition, sk and value, through pages of `limit`. */
async function query(pk: string, limit = 2, table = TABLE): Promise<string[]> {
  const out: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'pk' },
        ExpressionAttributeValues: { ':p': pk },
        ProjectionExpression: 'sk, v',
        ConsistentRead: true,
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) out.push(`${item['sk']}=${item['v']}`);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

describe('local DynamoDB: repeated Queries of an unchanged partition', () => {
  it('answers the same Query again from memory, with what dynalite answered', async () => {
    // Prepare
    for (const sk of ['a', 'b', 'c']) await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'P1', sk, v: 1 } }));
    const first = await query('P1');
    const before = service.queryCache();
    // Act
    const again = await query('P1');
    // Assess
    expect(again).toEqual(first);
    expect(first).toEqual(['a=1', 'b=1', 'c=1']);
    expect(service.queryCache().hits - before.hits).toBe(2); // both pages
  });

  it('sees every kind of write to the partition at the next Query, and keeps the answer through writes elsewhere', async () => {
    // Prepare
    for (const sk of ['a', 'b']) await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'P2', sk, v: 1 } }));
    await query('P2');
    // Act + Assess: another partition's write keeps the answer.
    const before = service.queryCache();
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'OTHER', sk: 'x', v: 9 } }));
    expect(await query('P2')).toEqual(['a=1', 'b=1']);
    expect(service.queryCache().hits).toBeGreaterThan(before.hits);
    // Each write to P2 is seen.
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'P2', sk: 'c', v: 1 } }));
    expect(await query('P2')).toEqual(['a=1', 'b=1', 'c=1']);
    await doc.send(new UpdateCommand({ TableName: TABLE, Key: { pk: 'P2', sk: 'a' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 2 } }));
    expect(await query('P2')).toEqual(['a=2', 'b=1', 'c=1']);
    await doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: 'P2', sk: 'b' } }));
    expect(await query('P2')).toEqual(['a=2', 'c=1']);
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TABLE]: [
            { PutRequest: { Item: { pk: { S: 'P2' }, sk: { S: 'd' }, v: { N: '3' } } } },
            { DeleteRequest: { Key: { pk: { S: 'P2' }, sk: { S: 'c' } } } },
          ],
        },
      }),
    );
    expect(await query('P2')).toEqual(['a=2', 'd=3']);
  });

  it('forgets a table that is deleted and created again', async () => {
    // Prepare
    await createTable('cache-recreated');
    await doc.send(new PutCommand({ TableName: 'cache-recreated', Item: { pk: 'P', sk: 'old', v: 1 } }));
    expect(await query('P', 2, 'cache-recreated')).toEqual(['old=1']);
    // Act
    await client.send(new DeleteTableCommand({ TableName: 'cache-recreated' }));
    await createTable('cache-recreated');
    await doc.send(new PutCommand({ TableName: 'cache-recreated', Item: { pk: 'P', sk: 'new', v: 2 } }));
    // Assess
    expect(await query('P', 2, 'cache-recreated')).toEqual(['new=2']);
  });

  it('reads like a plain map under a random mix of concurrent writes and queries: a Query started after a write was answered sees it', async () => {
    const op = fc.record({
      kind: fc.constantFrom('put', 'delete', 'update', 'query'),
      pk: fc.constantFrom('R1', 'R2'),
      sk: fc.constantFrom('a', 'b', 'c', 'd'),
      v: fc.integer({ min: 0, max: 9 }),
      limit: fc.integer({ min: 1, max: 3 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), async (rounds) => {
        // Prepare: partitions of their own per run.
        run++;
        const model = new Map<string, number>();
        const pkOf = (pk: string) => `${pk}-${run}`;
        const expectedOf = (pk: string) =>
          [...model.entries()]
            .filter(([k]) => k.startsWith(`${pk}|`))
            .map(([k, v]) => `${k.slice(pk.length + 1)}=${v}`)
            .sort();
        for (const round of rounds) {
          // Act: each round's operations run at once; the model applies the writes after the round.
          const writes = round.filter((o) => o.kind !== 'query');
          await Promise.all(
            round.map(async (o) => {
              const pk = pkOf(o.pk);
              if (o.kind === 'put') await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: o.sk, v: o.v } }));
              if (o.kind === 'delete') await doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk, sk: o.sk } }));
              if (o.kind === 'update')
                await doc.send(
                  new UpdateCommand({ TableName: TABLE, Key: { pk, sk: o.sk }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': o.v } }),
                );
              if (o.kind === 'query') await query(pk, o.limit);
            }),
          );
          // Last writer per key wins only when one write touched it in the round: skip keys written twice at once.
          const touched = new Map<string, number>();
          for (const w of writes) touched.set(`${pkOf(w.pk)}|${w.sk}`, (touched.get(`${pkOf(w.pk)}|${w.sk}`) ?? 0) + 1);
          for (const w of writes) {
            const key = `${pkOf(w.pk)}|${w.sk}`;
            if (touched.get(key)! > 1) {
              model.delete(key);
              await doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: pkOf(w.pk), sk: w.sk } }));
            } else if (w.kind === 'delete') model.delete(key);
            else model.set(key, w.v);
          }
          // Assess: after the round's writes were answered, every Query (fresh or from memory) sees them.
          for (const pk of ['R1', 'R2']) {
            expect(await query(pkOf(pk), 2)).toEqual(expectedOf(pkOf(pk)));
            expect(await query(pkOf(pk), 2)).toEqual(expectedOf(pkOf(pk)));
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
