export { startDynamoDb } from './service.ts';
export type { DynamoDbOptions, LocalDynamoDb } from './service.ts';
