import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ListRulesCommand } from '@aws-sdk/client-eventbridge';
import type { LocalRequest, LocalResponse } from '@switchyard/local-aws';
import { describe, expect, it } from 'vitest';
import { localClients } from '../../../../src/local/runtime/handler-deps.ts';

describe("the local runtime's own clients", () => {
  it('with the in-process entry, every client sends its requests there with the placeholder signature of its own service scope', async () => {
    // Prepare: an in-process entry that records the Authorization header and answers 500 (the answer does not matter here)
    const seen: string[] = [];
    const serve = async (request: LocalRequest): Promise<LocalResponse> => {
      seen.push(String(request.headers['authorization']));
      return { status: 500, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') };
    };
    const clients = localClients('http://127.0.0.1:4566', 'eu-west-1', serve);
    const attempt = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        () => undefined,
      );

    // Act
    await attempt(clients.route53Client.send(new ListHostedZonesCommand({})));
    await attempt(clients.dynamodb.send(new ListTablesCommand({})));
    await attempt(clients.sfn.send(new ListStateMachinesCommand({})));
    await attempt(clients.cloudwatch.send(new DescribeAlarmsCommand({})));
    await attempt(clients.eventbridge.send(new ListRulesCommand({})));

    // Assess: Route 53 signs in us-east-1 (its one region), the others in the runtime's region
    const scopes = seen.map((header) =>
      /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=host;x-amz-date, Signature=in-process$/.exec(header)?.slice(1).join('/'),
    );
    expect(scopes).toEqual(expect.arrayContaining(['us-east-1/route53', 'eu-west-1/dynamodb', 'eu-west-1/states', 'eu-west-1/monitoring', 'eu-west-1/events']));
    expect(scopes).not.toContain(undefined);
  });
});
