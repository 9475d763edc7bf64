import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { startDynamoDb } from '../../src/dynamodb/service.ts';
import { clientConfig, hasBoto3, runPython, serve, temporaryFolder } from './harness.ts';

const table = {
  TableName: 'switchyard-state',
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
  ],
  BillingMode: 'PAY_PER_REQUEST' as const,
};

describe('local DynamoDB (dynalite) on the shared endpoint', () => {
  it('serves the DynamoDB API with conditional writes, and keeps tables across a restart', async () => {
    const folder = await temporaryFolder('dynamodb');
    try {
      // Prepare
      const first = await serve(await startDynamoDb({ stateDir: folder.path }));
      const client = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(first)));
      await client.send(new CreateTableCommand(table));

      // Act
      await client.send(
        new PutCommand({
          TableName: table.TableName,
          Item: { pk: 'LOCK#east', sk: 'LOCK', owner: 'drain-1', fence: 1 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      const conflict = await client
        .send(
          new PutCommand({
            TableName: table.TableName,
            Item: { pk: 'LOCK#east', sk: 'LOCK', owner: 'drain-2', fence: 2 },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      const invalid = await client.send(new GetItemCommand({ TableName: table.TableName, Key: { pk: { S: 'x' } } })).then(
        () => undefined,
        (error: unknown) => error,
      );
      client.destroy();
      await first.close();
      const second = await serve(await startDynamoDb({ stateDir: folder.path }));
      const reopened = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(second)));
      const tables = await reopened.send(new ListTablesCommand({}));
      const item = await reopened.send(new GetCommand({ TableName: table.TableName, Key: { pk: 'LOCK#east', sk: 'LOCK' } }));

      // Assess
      expect(conflict).toBeInstanceOf(ConditionalCheckFailedException);
      expect((invalid as Error).name).toBe('ValidationException');
      expect(tables.TableNames).toEqual(['switchyard-state']);
      expect(item.Item).toEqual({ pk: 'LOCK#east', sk: 'LOCK', owner: 'drain-1', fence: 1 });
      reopened.destroy();
      await second.close();
    } finally {
      await folder.remove();
    }
  });

  it.skipIf(!hasBoto3)('serves boto3 too (cross-check)', async () => {
    const endpoint = await serve(await startDynamoDb());
    try {
      const client = new DynamoDBClient(clientConfig(endpoint));
      await client.send(new CreateTableCommand(table));
      await client.send(new PutItemCommand({ TableName: table.TableName, Item: { pk: { S: 'a' }, sk: { S: 'b' }, n: { N: '7' } } }));
      client.destroy();
      const result = await runPython(
        `
import boto3, json, os
ddb = boto3.client('dynamodb', endpoint_url=os.environ['ENDPOINT'])
item = ddb.get_item(TableName='switchyard-state', Key={'pk': {'S': 'a'}, 'sk': {'S': 'b'}})['Item']
print(json.dumps({'n': item['n']['N'], 'tables': ddb.list_tables()['TableNames']}))
`,
        endpoint,
      );
      expect(result).toEqual({ n: '7', tables: ['switchyard-state'] });
    } finally {
      await endpoint.close();
    }
  });
});
