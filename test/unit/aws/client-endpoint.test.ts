// createRoute53Client reaches the endpoint the SDK's AWS_ENDPOINT_URL names, with
// placeholder credentials on loopback (a tiny local server stands in for Route 53).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoute53Client } from '../../../src/aws/route53.ts';

const EMPTY =
  '<?xml version="1.0"?><ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZones/><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>';

describe('createRoute53Client', () => {
  const seen: string[] = [];
  let server: http.Server;
  let url: string;
  const saved = { endpoint: process.env.AWS_ENDPOINT_URL, key: process.env.AWS_ACCESS_KEY_ID, profile: process.env.AWS_PROFILE };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${String(req.headers.authorization).split(',')[0]}`);
      res.writeHead(200, { 'content-type': 'text/xml' }).end(EMPTY);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const [name, value] of [
      ['AWS_ENDPOINT_URL', saved.endpoint],
      ['AWS_ACCESS_KEY_ID', saved.key],
      ['AWS_PROFILE', saved.profile],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('follows AWS_ENDPOINT_URL when no --endpoint-url is given', async () => {
    // Prepare
    process.env.AWS_ENDPOINT_URL = url;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_PROFILE;
    const client = createRoute53Client({});

    // Act
    const out = await client.send(new ListHostedZonesCommand({}));

    // Assess
    expect(out.HostedZones).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^GET \/2013-04-01\/hostedzone AWS4-HMAC-SHA256 Credential=switchyard-local\//);
    client.destroy();
  });
});
