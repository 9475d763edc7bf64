// Requests a web page, a DNS-rebinding attacker or a broken client can send to the local
// endpoint: refused with a 4xx and an AWS error code, nothing changed, and the runtime (or
// the standalone `switchyard local route53`) keeps serving. See docs/local-runtime.md,
// "Who may call the endpoint".
import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { cbor } from '@smithy/core/cbor';
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { alarmState, awsClients, CLI, NODE, runCliHere, temporaryFolder, TIME_SCALE, waitFor, type AwsClients } from './helpers.ts';

let folder: { path: string; remove(): Promise<void> };
let runtime: LocalRuntime;
let aws: AwsClients;

beforeAll(async () => {
  folder = await temporaryFolder('hostile');
  runtime = await startLocalRuntime({ stateDir: folder.path, port: 0, timeScale: TIME_SCALE, discoverEveryMs: 0 });
  aws = awsClients(runtime.url);
}, 120_000);

afterAll(async () => {
  aws?.destroy();
  await runtime?.close();
  await folder?.remove();
});

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
  text: string;
}

/** Sends exactly these headers (Host included), as a browser or a broken client would. */
function send(url: string, init: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const headers = { host: `127.0.0.1:${port}`, ...init.headers };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method: init.method ?? 'POST', path: init.path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(init.body ?? '');
  });
}

const EVIL_PAGE = { origin: 'http://evil.example', 'content-type': 'text/plain' };
const zoneNames = async () => ((await aws.route53.send(new ListHostedZonesCommand({}))).HostedZones ?? []).map((z) => z.Name).sort();

describe('a web page cannot drive the runtime (issue 12, point 2)', () => {
  it('refuses a foreign page failing a cluster over, with or without the token, and under a rebound name', async () => {
    // Act
    const fromPage = await send(runtime.url, { path: '/_switchyard/clusters/eu/fail', headers: EVIL_PAGE, body: '{"mode":"down"}' });
    const pageWithToken = await send(runtime.url, {
      path: '/_switchyard/clusters/eu/fail',
      headers: { ...EVIL_PAGE, 'x-switchyard-token': runtime.controlToken },
    });
    const rebound = await send(runtime.url, {
      path: '/_switchyard/clusters/eu/fail',
      headers: { host: `rebind.evil.example:${runtime.port}`, 'content-type': 'text/plain' },
    });
    // Assess
    for (const answer of [fromPage, pageWithToken, rebound]) {
      expect(answer.status, answer.text).toBe(403);
      expect(JSON.parse(answer.text)).toMatchObject({ error: 'AccessDenied' });
    }
    expect(JSON.parse(fromPage.text).message).toContain('Origin "http://evil.example"');
    expect(JSON.parse(rebound.text).message).toContain('is not a loopback name or address');
    expect(runtime.canaries.list().map((c) => c.mode)).toEqual(['healthy', 'healthy', 'healthy']);
  });

  it("needs the per-run token for the control API's writes, even from this machine", async () => {
    // Act
    const none = await send(runtime.url, { path: '/_switchyard/clusters/eu/fail', headers: { 'content-type': 'application/json' } });
    const wrong = await send(runtime.url, { path: '/_switchyard/discover', headers: { 'x-switchyard-token': 'guess' } });
    const read = await send(runtime.url, { method: 'GET', path: '/_switchyard/ready' });
    // Assess
    expect([none.status, JSON.parse(none.text).error]).toEqual([403, 'AccessDenied']);
    expect(JSON.parse(none.text).message).toMatch(/needs its token in x-switchyard-token; no token was sent/);
    expect([wrong.status, JSON.parse(wrong.text).error]).toEqual([403, 'AccessDenied']);
    expect(JSON.parse(wrong.text).message).toContain('a wrong token was sent');
    expect([read.status, JSON.parse(read.text)]).toEqual([200, { ready: true }]);
    expect(runtime.canaries.list().map((c) => c.mode)).toEqual(['healthy', 'healthy', 'healthy']);
  });

  it('keeps the token in the state folder, readable by its owner only, where `switchyard local fail|heal` finds it', async () => {
    // Act
    const mode = (await stat(join(folder.path, 'control-token'))).mode & 0o777;
    const failed = await runCliHere(['local', 'fail', 'eu', '--state', folder.path, '--json']);
    const modeAfterFail = runtime.canaries.list().find((c) => c.cluster === 'eu')?.mode;
    const healed = await runCliHere(['local', 'heal', 'eu', '--state', folder.path, '--json']);
    const elsewhere = await runCliHere(['local', 'fail', 'eu', '--endpoint-url', runtime.url, '--state', join(folder.path, 'nothing-here')]);
    // Assess
    expect(mode).toBe(0o600);
    expect(failed.code, failed.stderr).toBe(0);
    expect(modeAfterFail).toBe('failing');
    expect(healed.code, healed.stderr).toBe(0);
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toMatch(/needs its token.*no token found: pass the runtime's --state folder, or set SWITCHYARD_CONTROL_TOKEN/s);
    expect(runtime.canaries.list().map((c) => c.mode)).toEqual(['healthy', 'healthy', 'healthy']);
  });

  it("refuses a page's CBOR SetAlarmState, in CloudWatch's CBOR error shape, and the alarm stays as it was", async () => {
    // Prepare
    const before = await alarmState(aws.cloudwatch, 'east');
    const body = Buffer.from(cbor.serialize({ AlarmName: 'switchyard-local-switchyard-example-east-canary', StateValue: 'ALARM', StateReason: 'a web page' }));
    // Act
    const answer = await send(runtime.url, {
      path: '/service/GraniteServiceVersion20100801/operation/SetAlarmState',
      headers: { ...EVIL_PAGE, 'smithy-protocol': 'rpc-v2-cbor' },
      body,
    });
    // Assess
    expect(answer.status).toBe(403);
    expect(answer.headers['x-amzn-query-error']).toBe('AccessDenied;Sender');
    expect(cbor.deserialize(new Uint8Array(answer.body))).toMatchObject({ __type: 'com.amazonaws.cloudwatch#AccessDenied' });
    expect(await alarmState(aws.cloudwatch, 'east')).toBe(before);
  });

  it("refuses a page's CreateHostedZone, as Route 53 words an error, and no zone is created", async () => {
    // Prepare
    const before = await zoneNames();
    const xml =
      '<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>evil.example</Name><CallerReference>page-1</CallerReference></CreateHostedZoneRequest>';
    // Act
    const fromPage = await send(runtime.url, { path: '/2013-04-01/hostedzone', headers: EVIL_PAGE, body: xml });
    const rebound = await send(runtime.url, { path: '/2013-04-01/hostedzone', headers: { host: 'rebind.evil.example' }, body: xml });
    const ownPage = await send(runtime.url, { method: 'GET', path: '/2013-04-01/hostedzone', headers: { origin: `http://localhost:${runtime.port}` } });
    // Assess
    for (const answer of [fromPage, rebound]) {
      expect(answer.status).toBe(403);
      expect(answer.text).toMatch(
        /<ErrorResponse xmlns="https:\/\/route53.amazonaws.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code>/,
      );
    }
    expect(ownPage.status).toBe(200);
    expect(await zoneNames()).toEqual(before);
  });

  it("refuses a page's Step Functions call with AccessDeniedException", async () => {
    const answer = await send(runtime.url, { path: '/', headers: { ...EVIL_PAGE, 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }, body: '{}' });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toMatchObject({ __type: 'AccessDeniedException' });
  });
});

describe('malformed input gets a 4xx with an AWS error code, never a 500 (issue 12, point 7)', () => {
  const deepPattern = `${'{"a":'.repeat(10_000)}["x"]${'}'.repeat(10_000)}`;
  const TEST_EVENT = JSON.stringify({
    id: '1',
    account: '000000000000',
    source: 'test',
    time: '2026-12-03T00:00:00Z',
    region: 'us-east-1',
    'detail-type': 'test',
    resources: [],
    detail: {},
  });
  it.each([
    [
      'a malformed % escape in a Route 53 path',
      { method: 'GET', path: '/2013-04-01/hostedzone/%ZZ' },
      400,
      /<Code>InvalidInput<\/Code>.*not valid percent-encoding/,
    ],
    [
      'a malformed % escape in a control API path',
      { path: '/_switchyard/clusters/%E0%A4%A/fail', headers: { 'x-switchyard-token': "the runtime's" } },
      400,
      /"error":"InvalidInput".*percent-encoding/,
    ],
    ['a bad Host header', { method: 'GET', path: '/2013-04-01/hostedzone', headers: { host: 'a b' } }, 403, /<Code>AccessDenied<\/Code>.*not a host name/],
    [
      'an XML document type with an entity',
      {
        path: '/2013-04-01/hostedzone',
        body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "evil">]><CreateHostedZoneRequest><Name>&a;.example</Name><CallerReference>doctype</CallerReference></CreateHostedZoneRequest>',
      },
      400,
      /<Code>MalformedInput<\/Code>.*DOCTYPE/,
    ],
    [
      'an undeclared entity',
      {
        path: '/2013-04-01/hostedzone',
        body: '<CreateHostedZoneRequest><Name>a&nbsp;.example</Name><CallerReference>entity</CallerReference></CreateHostedZoneRequest>',
      },
      400,
      /<Code>MalformedInput<\/Code>.*&amp;nbsp;/,
    ],
    [
      'XML nested 1,000 deep',
      { path: '/2013-04-01/hostedzone', body: `<CreateHostedZoneRequest>${'<a>'.repeat(1000)}${'</a>'.repeat(1000)}</CreateHostedZoneRequest>` },
      400,
      /<Code>MalformedInput<\/Code>.*nested deeper than 32/,
    ],
    // (10,000 deep is past EventBridge's pattern length limit too: the length is checked first.)
    [
      'a JSON pattern nested 10,000 deep',
      {
        path: '/',
        headers: { 'x-amz-target': 'AWSEvents.TestEventPattern', 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ EventPattern: deepPattern, Event: TEST_EVENT }),
      },
      400,
      /"__type":"(ValidationException|InvalidEventPatternException)"/,
    ],
    [
      'a JSON body nested 10,000 deep',
      {
        path: '/',
        headers: { 'x-amz-target': 'AWSStepFunctions.ListStateMachines', 'content-type': 'application/x-amz-json-1.0' },
        body: `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      },
      400,
      /SerializationException.*deeper than 100/,
    ],
    ['an unknown Route 53 path', { method: 'GET', path: '/2013-04-01/trafficpolicies' }, 404, /<Code>UnknownOperationException<\/Code>/],
  ] as Array<[string, { method?: string; path: string; headers?: Record<string, string>; body?: string }, number, RegExp]>)(
    '%s',
    async (_what, request, status, body) => {
      // Prepare
      const zonesBefore = await zoneNames();
      const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k, v === "the runtime's" ? runtime.controlToken : v]));
      // Act
      const answer = await send(runtime.url, { ...request, headers });
      const after = await aws.route53.send(new ListHostedZonesCommand({}));
      // Assess
      expect(answer.status, answer.text).toBe(status);
      expect(answer.text).toMatch(body);
      expect((after.HostedZones ?? []).map((z) => z.Name).sort()).toEqual(zonesBefore);
    },
  );
});

describe('the standalone `switchyard local route53` (issue 12, point 8)', () => {
  it('answers a request whose Host header is "a b" with a 403 and keeps serving', async () => {
    // Prepare
    const child = spawn(NODE, [CLI, 'local', 'route53', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code));
    try {
      const url = await waitFor('the standalone Route 53 to listen', async () => /on (http:\/\/\S+)/.exec(output)?.[1], 60_000);
      // Act
      const bad = await send(url, { method: 'GET', path: '/2013-04-01/hostedzone', headers: { host: 'a b' } });
      const good = await send(url, { method: 'GET', path: '/2013-04-01/hostedzone' });
      // Assess
      expect(bad.status, output).toBe(403);
      expect(bad.text).toContain('<Code>AccessDenied</Code>');
      expect(good.status).toBe(200);
      expect(good.text).toContain('<ListHostedZonesResponse');
      expect(exited, output).toBeUndefined();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
