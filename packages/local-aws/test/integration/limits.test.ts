// Service limits on the one local endpoint, over real HTTP with the real SDK: what AWS
// refuses is refused with AWS's error code and a 4xx, and a body far past what a service
// takes is refused before it is held whole; the endpoint keeps serving.
import { request as httpRequest } from 'node:http';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/endpoint.ts';
import { LocalEventBus } from '../../src/eventbridge/bus.ts';
import { eventBridgeService } from '../../src/eventbridge/service.ts';
import { createRoute53Service } from '../../src/route53/index.ts';
import { LocalAlarms } from '../../src/cloudwatch/alarms.ts';
import { cloudWatchServices } from '../../src/cloudwatch/service.ts';
import { LocalStepFunctions } from '../../src/stepfunctions/engine.ts';
import { stepFunctionsService } from '../../src/stepfunctions/service.ts';
import { clientConfig, serve } from './harness.ts';

const ROLE = 'arn:aws:iam::000000000000:role/switchyard-local';
const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });

async function thrown(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/** A raw request: `declared` is the Content-Length sent, `chunks` what is actually written (chunked when no length is declared). */
function rawRequest(
  endpoint: Endpoint,
  options: { path?: string; headers: Record<string, string>; chunks: Buffer[]; declared?: number },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(endpoint.url);
    const headers: Record<string, string> = { ...options.headers };
    if (options.declared !== undefined) headers['content-length'] = String(options.declared);
    const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: options.path ?? '/', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const chunk of options.chunks) req.write(chunk);
    if (options.declared === undefined || options.chunks.reduce((n, c) => n + c.length, 0) >= options.declared) req.end();
  });
}

describe('service limits on the local endpoint', () => {
  let endpoint: Endpoint;
  let sfn: SFNClient;
  let events: EventBridgeClient;
  let cloudwatch: CloudWatchClient;
  let engine: LocalStepFunctions;
  let stateMachineArn: string;

  beforeAll(async () => {
    engine = await LocalStepFunctions.open({ handlers: {}, waitScale: 0 });
    const bus = await LocalEventBus.open({});
    const alarms = await LocalAlarms.open({});
    endpoint = await serve(createRoute53Service({ insyncDelayMs: 0 }), stepFunctionsService(engine), eventBridgeService(bus), ...cloudWatchServices(alarms));
    sfn = new SFNClient(clientConfig(endpoint));
    events = new EventBridgeClient(clientConfig(endpoint));
    cloudwatch = new CloudWatchClient(clientConfig(endpoint));
    stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'Pass', definition: PASS, roleArn: ROLE }))).stateMachineArn!;
  });

  afterAll(async () => {
    sfn.destroy();
    events.destroy();
    cloudwatch.destroy();
    await endpoint.close();
  });

  it('PutEvents: refuses more than 1 MB of entries in one request (EventBridge counts Source, DetailType, Detail, Resources, 14 for Time) and puts none', async () => {
    // Prepare: Source (4) + DetailType (4) + Detail bytes, per entry
    const entry = (detailBytes: number) => ({ Source: 'test', DetailType: 'test', Detail: JSON.stringify({ p: 'x'.repeat(detailBytes - 8) }) });
    const half = 1_048_576 / 2 - 8;
    // Act
    const fits = await events.send(new PutEventsCommand({ Entries: [entry(half), entry(half)] }));
    const over = await thrown(events.send(new PutEventsCommand({ Entries: [entry(half), entry(half + 1)] })));
    const eleven = await thrown(events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry(20)) })));
    // Assess
    expect(fits.FailedEntryCount).toBe(0);
    expect(over).toMatchObject({ name: 'ValidationException', status: 400, message: 'Total size of the entries in the request is over the limit.' });
    expect(eleven).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(eleven.message).toContain('Member must have length less than or equal to 10');
  });

  it('PutEvents: takes one entry over the old 256 KB limit, as event buses have since January 2026 (no per-entry size failure)', async () => {
    // Act
    const large = await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'test', DetailType: 'test', Detail: JSON.stringify({ p: 'x'.repeat(600_000) }) }] }),
    );
    // Assess
    expect(large.FailedEntryCount).toBe(0);
    expect(large.Entries?.[0]?.EventId).toEqual(expect.any(String));
  });

  it('StartExecution: a 20 MB input is refused (413 RequestEntityTooLarge) before it is read whole, nothing starts, and the endpoint keeps serving', async () => {
    // Act
    const huge = await thrown(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'huge', input: JSON.stringify({ p: 'x'.repeat(20 * 1024 * 1024) }) })),
    );
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    // Assess
    expect(huge).toMatchObject({ name: 'RequestEntityTooLarge', status: 413 });
    expect(listed.executions).toEqual([]);
  });

  it('PutEvents: a 20 MB request is refused (413) the same way', async () => {
    const huge = await thrown(
      events.send(new PutEventsCommand({ Entries: [{ Source: 'test', DetailType: 'test', Detail: JSON.stringify({ p: 'x'.repeat(20 * 1024 * 1024) }) }] })),
    );
    expect(huge).toMatchObject({ name: 'RequestEntityTooLarge', status: 413 });
  });

  it("refuses a declared Content-Length over the limit before reading anything, in the caller's protocol", async () => {
    // Act: 100 MB announced, 10 bytes sent; the answer comes without waiting for the rest
    const json = await rawRequest(endpoint, {
      headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' },
      chunks: [Buffer.from('{"a":"bbbb')],
      declared: 100 * 1024 * 1024,
    });
    const xml = await rawRequest(endpoint, {
      path: '/2013-04-01/hostedzone',
      headers: { 'content-type': 'text/xml' },
      chunks: [Buffer.from('<x>')],
      declared: 100 * 1024 * 1024,
    });
    // Assess
    expect(json.status).toBe(413);
    expect(JSON.parse(json.body)).toMatchObject({ __type: 'RequestEntityTooLarge' });
    expect(xml.status).toBe(413);
    expect(xml.body).toContain('<Code>RequestEntityTooLarge</Code>');
  });

  it('refuses a chunked body (no Content-Length) once it grows past the limit', async () => {
    const chunks = Array.from({ length: 5 }, () => Buffer.alloc(1024 * 1024, 0x61));
    const answer = await rawRequest(endpoint, { path: '/2013-04-01/hostedzone', headers: { 'content-type': 'text/xml' }, chunks });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('<Code>RequestEntityTooLarge</Code>');
  });

  it('EventBridge: refuses the bus and rule names AWS refuses', async () => {
    const slash = await thrown(events.send(new CreateEventBusCommand({ Name: 'a/b' })));
    const reserved = await thrown(events.send(new CreateEventBusCommand({ Name: 'default' })));
    const longRule = await thrown(events.send(new PutRuleCommand({ Name: 'r'.repeat(65), EventPattern: '{"source":["x"]}' })));
    expect(slash).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(reserved).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(longRule).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(longRule.message).toContain('Member must have length less than or equal to 64');
  });

  it('CloudWatch: an alarm name over 255 characters is refused with ValidationError', async () => {
    const failure = await thrown(cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'a'.repeat(256), StateValue: 'ALARM', StateReason: 'test' })));
    expect(failure.status).toBe(400);
    expect(failure.message).toContain('Member must have length less than or equal to 255');
  });
});
