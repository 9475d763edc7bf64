// aliasTargetOf: where the health checker sends a probe aimed at a name a zone publishes
// (the simple alias A set at that name, in a public zone). It looks the name up in the
// zone's index: after a restart it reads only the chunk that holds the name.
import { CreateHostedZoneCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apply, change, createZone, simple, startEmulator, uniqueReference } from './helpers.ts';

const alias = (name: string, target: string, setIdentifier?: string): ResourceRecordSet => ({
  Name: name,
  Type: 'A',
  ...(setIdentifier === undefined ? {} : { SetIdentifier: setIdentifier, Weight: 1 }),
  AliasTarget: { HostedZoneId: 'Z26RNL4JYFTOTI', DNSName: target, EvaluateTargetHealth: false },
});

describe('local Route 53: aliasTargetOf', () => {
  it('follows the simple alias A set at the name in a public zone, and nothing else, as the zone changes', async () => {
    const emulator = await startEmulator();
    try {
      // Prepare
      const zone = await createZone(emulator.client, 'example.com');
      const created = await emulator.client.send(
        new CreateHostedZoneCommand({
          Name: 'example.com',
          CallerReference: uniqueReference('private'),
          HostedZoneConfig: { PrivateZone: true },
          VPC: { VPCRegion: 'us-east-1', VPCId: 'vpc-1' },
        }),
      );
      const privateId = created.HostedZone!.Id!.replace('/hostedzone/', '');
      await apply(
        emulator.client,
        zone,
        change('CREATE', alias('health.example.com', 'lb-1.elb.us-east-1.amazonaws.com')),
        change('CREATE', alias('weighted.example.com', 'lb-2.elb.us-east-1.amazonaws.com', 'east')),
        change('CREATE', simple('plain.example.com', 'A', ['192.0.2.1'])),
      );
      await apply(emulator.client, privateId, change('CREATE', alias('inside.example.com', 'lb-3.elb.us-east-1.amazonaws.com')));

      // Act + Assess
      expect(emulator.service.aliasTargetOf('HEALTH.example.com')).toBe('lb-1.elb.us-east-1.amazonaws.com.');
      expect(emulator.service.aliasTargetOf('health.example.com.')).toBe('lb-1.elb.us-east-1.amazonaws.com.');
      expect(emulator.service.aliasTargetOf('weighted.example.com')).toBeUndefined();
      expect(emulator.service.aliasTargetOf('plain.example.com')).toBeUndefined();
      expect(emulator.service.aliasTargetOf('inside.example.com')).toBeUndefined();
      expect(emulator.service.aliasTargetOf('absent.example.com')).toBeUndefined();
      await apply(emulator.client, zone, change('UPSERT', alias('health.example.com', 'lb-9.elb.us-east-1.amazonaws.com')));
      expect(emulator.service.aliasTargetOf('health.example.com')).toBe('lb-9.elb.us-east-1.amazonaws.com.');
      await apply(emulator.client, zone, change('DELETE', alias('health.example.com', 'lb-9.elb.us-east-1.amazonaws.com')));
      expect(emulator.service.aliasTargetOf('health.example.com')).toBeUndefined();
    } finally {
      await emulator.close();
    }
  });

  it('after a restart, reads only the chunk that holds the name (every other chunk file is damaged)', async () => {
    // Prepare: 200 sets and the alias, in chunks of 10.
    const path = join(mkdtempSync(join(tmpdir(), 'r53-alias-')), 'route53.json');
    const first = await startEmulator({ statePath: path, recordsPerChunk: 10 });
    const zone = await createZone(first.client, 'chunked.example');
    await apply(
      first.client,
      zone,
      ...Array.from({ length: 200 }, (_, i) => change('CREATE', simple(`h${String(i).padStart(3, '0')}.chunked.example`, 'A', ['192.0.2.1']))),
      change('CREATE', alias('health.chunked.example', 'lb-1.elb.us-east-1.amazonaws.com')),
    );
    await first.close();
    const dir = `${path}.records`;
    const files = readdirSync(dir).filter((file) => file.startsWith(zone));
    const holding = files.filter((file) => readFileSync(join(dir, file), 'utf8').includes('health.chunked.example.'));
    expect(holding).toHaveLength(1);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) if (!holding.includes(file)) writeFileSync(join(dir, file), '[{"torn');

    // Act
    const second = await startEmulator({ statePath: path, recordsPerChunk: 10 });
    try {
      // Assess
      expect(second.service.aliasTargetOf('health.chunked.example')).toBe('lb-1.elb.us-east-1.amazonaws.com.');
    } finally {
      await second.close();
    }
  });
});
