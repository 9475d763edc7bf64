// A throwaway in-memory DynamoDB (dynalite) on a free loopback port, with a state
// table created in it, for tests of the state table and of the workflows.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRequire } from 'node:module';
import { DynamoStateTable, ensureStateTable } from '../../../src/aws/state-table.ts';

export interface TestDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** A fresh table (unique name) on the shared server. */
  newTable(options?: { maxConflictRetries?: number }): Promise<DynamoStateTable>;
  close(): Promise<void>;
}

// dynalite ships no type declarations; load it untyped rather than declare the module
// (the local platform may declare it too).
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;

let counter = 0;

export async function startDynalite(): Promise<TestDynamo> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
  return {
    endpoint,
    client,
    async newTable(options = {}) {
      const tableName = `switchyard-test-${process.pid}-${++counter}`;
      await ensureStateTable(client, tableName, (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))));
      return new DynamoStateTable({ client, tableName, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))), ...options });
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
