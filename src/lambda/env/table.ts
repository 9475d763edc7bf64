// The state table from SWITCHYARD_TABLE (GetItem, PutItem, DeleteItem, Query).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStateTable } from '../../aws/state-table.ts';
import { requiredEnv, type PortBuilder } from './build-deps.ts';
import { traced } from '../tracing.ts';

export const tableFromEnv: PortBuilder<'table'> = ({ env }) =>
  new DynamoStateTable({ client: traced(new DynamoDBClient({})), tableName: requiredEnv(env, 'SWITCHYARD_TABLE') });
