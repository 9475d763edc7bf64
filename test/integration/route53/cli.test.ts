// `switchyard local route53`: serves the API until stopped, keeps state in --state,
// and refuses bad flags with exit code 2.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateHostedZoneCommand, ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { runLocalRoute53 } from '../../../src/cli/commands/local-route53.ts';
import { main } from '../../../src/cli/main.ts';
import { clientFor, eventually, failure } from '../../../packages/local-aws/test/route53/helpers.ts';

async function serve(flags: Parameters<typeof runLocalRoute53>[0]) {
  const lines: string[] = [];
  const stop = new AbortController();
  const exit = runLocalRoute53({ port: '0', ...flags }, { out: (line) => lines.push(line), stop: stop.signal });
  await eventually(() => lines.length > 0, 5000, 'the server to start');
  const url = /on (http:\/\/\S+)/.exec(lines[0]!)![1]!;
  return { url, lines, stop: async () => (stop.abort(), exit) };
}

describe('switchyard local route53', () => {
  it('serves the Route 53 API on loopback until stopped, with its state in --state', async () => {
    // Prepare
    const state = join(mkdtempSync(join(tmpdir(), 'r53-cli-')), 'route53.json');
    const first = await serve({ state });
    const client = clientFor(first.url);

    // Act
    await client.send(new CreateHostedZoneCommand({ Name: 'cli.example', CallerReference: 'cli' }));
    const code = await first.stop();
    const second = await serve({ state });
    const zones = await clientFor(second.url).send(new ListHostedZonesCommand({}));
    await second.stop();

    // Assess
    expect(code).toBe(0);
    expect(first.lines[0]).toContain(`(state: ${state})`);
    expect(first.lines[1]).toBe(`  aws --endpoint-url ${first.url} route53 list-hosted-zones`);
    expect(zones.HostedZones!.map((z) => z.Name)).toEqual(['cli.example.']);
    await failure(client.send(new ListHostedZonesCommand({}))); // stopped
  });

  it('injects failures given by flags', async () => {
    const server = await serve({ failRate: '1', failWith: 'Throttling' });
    try {
      const error = await failure(clientFor(server.url, 1).send(new ListHostedZonesCommand({})));
      expect(error.name).toBe('Throttling');
    } finally {
      await server.stop();
    }
  });

  it.each([[['--port', 'http']], [['--fail-rate', '1.5']], [['--fail-with', 'SlowDown']], [['--insync-delay', '-1']]])(
    'refuses %j with exit code 2',
    async (flags) => {
      const errors: string[] = [];
      const original = console.error;
      console.error = (line: string) => errors.push(line);
      try {
        expect(await main(['local', 'route53', ...flags])).toBe(2);
      } finally {
        console.error = original;
      }
      expect(errors.join('\n')).toMatch(/InvalidInput: --/);
    },
  );
});
