import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
} from '@aws-sdk/client-route-53';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startDynamoDb } from '../../src/dynamodb/service.ts';
import type { LocalRequest, LocalService } from '../../src/http.ts';
import { inProcessRequestHandler, inProcessSigner, localRequestOf, PLACEHOLDER_SIGNATURE, queryString } from '../../src/in-process.ts';
import { createRoute53Service } from '../../src/route53/service.ts';
import { clientConfig, serve } from './harness.ts';

/** Every request a service got, as it got it. */
function recording(service: LocalService): { service: LocalService; seen: LocalRequest[] } {
  const seen: LocalRequest[] = [];
  return {
    seen,
    service: {
      ...service,
      matches: (req) => service.matches(req),
      handle: (req) => {
        seen.push(req);
        return service.handle(req);
      },
    },
  };
}

const weighted = (name: string, id: string, weight: number): Change => ({
  Action: 'UPSERT',
  ResourceRecordSet: { Name: name, Type: 'A', SetIdentifier: id, Weight: weight, TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] },
});

describe('inProcessRequestHandler', () => {
  it('serves SDK clients through the endpoint without a socket: the same answers as over HTTP, and the same requests reach the services', async () => {
    // Prepare
    const route53 = recording(createRoute53Service({ insyncDelayMs: 0 }));
    const dynamodb = await startDynamoDb();
    const endpoint = await serve(route53.service, dynamodb);
    const inProcess = { ...clientConfig(endpoint), requestHandler: inProcessRequestHandler(endpoint.handle) };
    const local = new Route53Client(inProcess);
    const overHttp = new Route53Client(clientConfig(endpoint));
    const table = new DynamoDBClient(inProcess);
    try {
      const zone = await local.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'in-process' }));
      const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');

      // Act
      const change = await local.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: [weighted('shop.example.com', 'east', 100), weighted('shop.example.com', 'west', 0)] },
        }),
      );
      const status = await local.send(new GetChangeCommand({ Id: change.ChangeInfo!.Id! }));
      // A query with a name that needs escaping, and a page boundary (NextRecordIdentifier).
      const page = await local.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: 'shop.example.com', MaxItems: 1 }));
      const sameOverHttp = await overHttp.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: 'shop.example.com', MaxItems: 1 }));
      const { conflict, item } = await takeLockTwice(table);

      // Assess
      expect(status.ChangeInfo?.Status).toBe('INSYNC');
      expect(page.ResourceRecordSets?.map((r) => [r.Name, r.SetIdentifier, r.Weight])).toEqual([['shop.example.com.', 'east', 100]]);
      expect(page.IsTruncated).toBe(true);
      expect(page.NextRecordIdentifier).toBe('west');
      const { $metadata: _a, ...inProcessPage } = page;
      const { $metadata: _b, ...httpPage } = sameOverHttp;
      expect(inProcessPage).toEqual(httpPage);
      expect(conflict).toBeInstanceOf(ConditionalCheckFailedException);
      expect(item.Item?.['token']).toEqual({ N: '1' });
      const listing = route53.seen.find((r) => r.url.pathname.endsWith('/rrset') && r.method === 'GET')!;
      expect(listing.url.searchParams.get('name')).toBe('shop.example.com');
      expect(listing.headers['host']).toBe(new URL(endpoint.url).host);
    } finally {
      local.destroy();
      overHttp.destroy();
      table.destroy();
      await endpoint.close();
    }
  });

  it('with inProcessSigner, clients skip SigV4: the services get a placeholder Authorization for the resolved scope, and answer as to a signed request', async () => {
    // Prepare
    const route53 = recording(createRoute53Service({ insyncDelayMs: 0 }));
    const dynamodb = recording(await startDynamoDb());
    const endpoint = await serve(route53.service, dynamodb.service);
    const unsigned = (service: string) => ({
      ...clientConfig(endpoint),
      requestHandler: inProcessRequestHandler(endpoint.handle),
      signer: inProcessSigner({ accessKeyId: 'AKIDLOCAL', service, region: 'us-east-1' }),
    });
    const zones = new Route53Client(unsigned('route53'));
    const table = new DynamoDBClient(unsigned('dynamodb'));
    try {
      // Act
      const zone = await zones.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'unsigned' }));
      const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
      await zones.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [weighted('shop.example.com', 'east', 100)] } }));
      const listed = await zones.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: 'shop.example.com' }));
      const { conflict, item } = await takeLockTwice(table);

      // Assess
      expect(listed.ResourceRecordSets?.map((r) => [r.Name, r.SetIdentifier, r.Weight])).toEqual([['shop.example.com.', 'east', 100]]);
      expect(conflict).toBeInstanceOf(ConditionalCheckFailedException);
      expect(item.Item?.['token']).toEqual({ N: '1' });
      const scope = (service: string) =>
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=AKIDLOCAL/\\d{8}/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${PLACEHOLDER_SIGNATURE}$`,
        );
      expect(route53.seen.length).toBeGreaterThan(0);
      for (const request of route53.seen) {
        expect(request.headers['authorization']).toMatch(scope('route53'));
        expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
      }
      expect(dynamodb.seen.length).toBeGreaterThan(0);
      for (const request of dynamodb.seen) expect(request.headers['authorization']).toMatch(scope('dynamodb'));
    } finally {
      zones.destroy();
      table.destroy();
      await endpoint.close();
    }
  });

  it('refuses what the endpoint refuses over HTTP: a foreign Host (403) and a body over the service limit (413), and the service never sees them', async () => {
    // Prepare
    const route53 = recording(createRoute53Service({ insyncDelayMs: 0 }));
    const endpoint = await serve(route53.service);
    try {
      const request = (headers: Record<string, string>, body = '') =>
        localRequestOf({
          method: 'POST',
          protocol: 'http:',
          hostname: '127.0.0.1',
          path: '/2013-04-01/hostedzone',
          query: {},
          headers,
          body,
        } as Parameters<typeof localRequestOf>[0]);

      // Act
      const foreign = await endpoint.handle(request({ host: 'attacker.example' }));
      const tooLarge = await endpoint.handle(request({ host: '127.0.0.1' }, 'x'.repeat((route53.service.maxBodyBytes ?? 0) + 1)));

      // Assess
      expect(foreign.status).toBe(403);
      expect(String(foreign.body)).toContain('is not a loopback name or address');
      expect(tooLarge.status).toBe(413);
      expect(String(tooLarge.body)).toContain('RequestEntityTooLarge');
      expect(route53.seen).toEqual([]);
    } finally {
      await endpoint.close();
    }
  });

  it('writes query strings as the SDK does over HTTP: RFC 3986 escapes, repeated keys, bare keys', () => {
    expect(queryString(undefined)).toBe('');
    expect(queryString({})).toBe('');
    expect(queryString({ name: "a b*(c)!'.example.com.", maxitems: '300' })).toBe('?name=a%20b%2A%28c%29%21%27.example.com.&maxitems=300');
    expect(queryString({ id: ['1', '2'], flag: null })).toBe('?id=1&id=2&flag');
  });
});

/** Creates table "state", waits for ACTIVE, puts a lock item, then tries a second conditional put of it: the conflict and the item left. */
async function takeLockTwice(table: DynamoDBClient) {
  await table.send(
    new CreateTableCommand({
      TableName: 'state',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (const deadline = Date.now() + 30_000; (await table.send(new DescribeTableCommand({ TableName: 'state' }))).Table?.TableStatus !== 'ACTIVE';) {
    if (Date.now() > deadline) throw new Error('table state never became ACTIVE');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const lock = (token: string) =>
    new PutItemCommand({ TableName: 'state', Item: { pk: { S: 'lock' }, token: { N: token } }, ConditionExpression: 'attribute_not_exists(pk)' });
  await table.send(lock('1'));
  const conflict = await table.send(lock('2')).then(
    () => undefined,
    (error: unknown) => error,
  );
  const item = await table.send(new GetItemCommand({ TableName: 'state', Key: { pk: { S: 'lock' } } }));
  return { conflict, item };
}
