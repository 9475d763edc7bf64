import { describe, expect, it } from 'vitest';
import { bundleHandlers, bundleProblems, operationOf, sdkImports, actionsOf, type BundleReport } from '../../scripts/bundle-check.ts';
import { FUNCTIONS } from './fixtures/registry.ts';
import { ROOT } from './helpers.ts';

const fixture = (name: string) => `test/deploy/fixtures/functions/${name}.ts`;

describe('bundleHandlers (fixture handlers, built like sst deploy)', async () => {
  const reports = await bundleHandlers(
    ROOT,
    Object.fromEntries(['reader', 'publisher', 'starter', 'aggregated', 'pure', 'router', 'discover', 'checker'].map((n) => [n, fixture(n)])),
  );
  const report = (name: string): BundleReport => reports.find((r) => r.name === name)!;

  it('finds the commands a handler sends, through its own modules, and drops what tree shaking removes', () => {
    // src/table.ts also exports createTable (CreateTableCommand), which reader never uses.
    expect(report('reader').actions).toEqual(['dynamodb:GetItem']);
  });

  it('counts paginators as calls, and ignores type-only imports', () => {
    expect(report('publisher').actions).toEqual(['route53:ChangeResourceRecordSets', 'route53:ListHostedZones']);
  });

  it('adds what AWS checks inside a call: creating a health check reads its alarm (CLOUDWATCH_METRIC)', () => {
    expect(report('checker').actions).toEqual(['cloudwatch:DescribeAlarms', 'route53:CreateHealthCheck']);
    expect(bundleProblems([report('checker')], { checker: { actions: ['route53:CreateHealthCheck'] } })).toEqual([
      'checker: calls cloudwatch:DescribeAlarms but FUNCTIONS.checker.actions does not declare it',
    ]);
  });

  it('follows namespace imports to the commands that are bundled', () => {
    expect(report('starter').actions).toEqual(['states:StartExecution']);
  });

  it('reports an aggregated client, whose calls cannot be named', () => {
    expect(report('aggregated').problems).toEqual([expect.stringMatching(/aggregated client EventBridge from @aws-sdk\/client-eventbridge/)]);
  });

  it('measures the bundle as deployed (the AWS SDK bundled in)', () => {
    expect(report('pure').bytes).toBeLessThan(5_000);
    expect(report('reader').bytes).toBeGreaterThan(100_000);
    expect(report('pure').actions).toEqual([]);
  });

  it('passes handlers whose calls and declarations match', () => {
    const matching = reports.filter((r) => r.name in FUNCTIONS);
    expect(matching.map((r) => r.name).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    expect(bundleProblems(matching, FUNCTIONS)).toEqual([]);
  });

  it('fails a handler that calls an action it does not declare, or declares one it never calls', () => {
    const declared = { reader: { actions: ['dynamodb:Query'] } };
    expect(bundleProblems([report('reader')], declared)).toEqual([
      'reader: calls dynamodb:GetItem but FUNCTIONS.reader.actions does not declare it',
      'reader: declares dynamodb:Query but its bundle has no code that calls it (remove it from FUNCTIONS.reader.actions)',
    ]);
  });

  it('fails a bundle over the size limit', () => {
    expect(bundleProblems([report('reader')], { reader: { actions: ['dynamodb:GetItem'] } }, 100_000)).toEqual([
      expect.stringMatching(/^reader: bundle is \d+ bytes, the limit is 100000$/),
    ]);
  });
});

describe('sdkImports and operationOf', () => {
  it('reads named, renamed, type-only and namespace imports of the AWS SDK', () => {
    const source = `
      import { GetCommand as Get, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
      import type { Change } from '@aws-sdk/client-route-53';
      import { type ListHostedZonesCommandOutput, ListHostedZonesCommand } from "@aws-sdk/client-route-53";
      import * as sfn from '@aws-sdk/client-sfn';
      import { z } from 'zod';
    `;
    expect(sdkImports(source)).toEqual([
      { pkg: '@aws-sdk/lib-dynamodb', names: ['GetCommand', 'DynamoDBDocumentClient'], namespace: false },
      { pkg: '@aws-sdk/client-route-53', names: ['ListHostedZonesCommand'], namespace: false },
      { pkg: '@aws-sdk/client-sfn', names: [], namespace: true },
    ]);
  });

  it('maps document commands and transactions to the DynamoDB actions IAM checks', () => {
    expect(operationOf('@aws-sdk/lib-dynamodb', 'PutCommand')).toBe('PutItem');
    expect(actionsOf('@aws-sdk/lib-dynamodb', 'TransactWriteItems')).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
    ]);
    expect(operationOf('@aws-sdk/client-route-53', 'paginateListResourceRecordSets')).toBe('ListResourceRecordSets');
    expect(operationOf('@aws-sdk/client-route-53', 'Route53Client')).toBeUndefined();
  });
});
