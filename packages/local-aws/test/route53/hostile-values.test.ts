// Record values and request bodies Route 53 refuses: characters outside printable ASCII in a
// value, characters XML forbids (raw or as `&#...;`), bodies that are not UTF-8. Whatever is
// tried, the zone's listing stays a valid XML document that strict parsers (botocore) read.
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBoto3, runPython } from '../integration/harness.ts';
import { apply, change, createZone, failure, simple, startEmulator, type Emulator } from './helpers.ts';

/** Characters outside XML 1.0's Char production. */
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function changeBody(valueXml: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change><Action>UPSERT</Action>' +
        '<ResourceRecordSet><Name>raw.example.com</Name><Type>TXT</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>',
    ),
    valueXml,
    Buffer.from('</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>'),
  ]);
}

describe('local Route 53: hostile record values', () => {
  let emulator: Emulator;
  let zoneId: string;

  const listing = async () => {
    const response = await fetch(`${emulator.server.url}/2013-04-01/hostedzone/${zoneId}/rrset`);
    return response.text();
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    zoneId = await createZone(emulator.client, 'example.com');
    await apply(
      emulator.client,
      zoneId,
      change('CREATE', simple('ok.example.com', 'TXT', ['"plain ASCII, spaces and \\"quotes\\""', '"an escaped e acute: \\351"'])),
    );
  });
  afterAll(async () => {
    await emulator.close();
  });

  it.each([
    ['NUL', '"a\u0000b"', '\u0000'],
    ['U+FFFF', '"a\uffffb"', '\uffff'],
    ['a tab', '"a\tb"', '\t'],
    ['a non-ASCII letter', '"exämple"', 'ä'],
    ['U+FFFD (what invalid UTF-8 decodes to)', '"a\ufffdb"', '\ufffd'],
  ])(
    'refuses a TXT value holding %s with a 400 (InvalidInput for what XML forbids, InvalidChangeBatch otherwise), changing nothing',
    async (_what, value, character) => {
      // Prepare
      const before = await listing();
      // Act
      const error = await failure(apply(emulator.client, zoneId, change('UPSERT', simple('bad.example.com', 'TXT', [value]))));
      // Assess: the SDK sends NUL and U+FFFF raw, which no XML document may hold; the others are XML but not Route 53 values
      expect(error.$metadata.httpStatusCode).toBe(400);
      if (NOT_XML.test(character)) {
        expect(error.name).toBe('InvalidInput');
        expect(error.message).toMatch(/^Invalid XML ; An invalid XML character \(Unicode: 0x[0-9A-F]+\) was found/);
      } else {
        expect(error.name).toBe('InvalidChangeBatch');
        expect(error.message).toBe(
          `[Invalid Resource Record: 'FATAL problem: UnsupportedCharacter (Value contains unsupported characters) encountered with '${character}'']`,
        );
      }
      expect(await listing()).toBe(before);
    },
  );

  it('refuses an octal escape past \\377', async () => {
    const error = await failure(apply(emulator.client, zoneId, change('UPSERT', simple('bad.example.com', 'TXT', ['"\\400"']))));
    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.message).toContain("UnsupportedCharacter (Value contains unsupported characters) encountered with '\\400'");
  });

  it.each([
    ['a character reference to NUL', Buffer.from('"a&#0;b"'), 'Character reference "&#0" is an invalid XML character.'],
    ['a character reference to U+FFFF', Buffer.from('"a&#xFFFF;b"'), 'Character reference "&#xFFFF" is an invalid XML character.'],
    ['bytes that are not UTF-8', Buffer.from([0x22, 0x61, 0xff, 0xfe, 0x22]), 'Invalid byte sequence: the request body is not UTF-8.'],
  ])('refuses a body with %s as Invalid XML (400), changing nothing', async (_what, value, message) => {
    // Prepare
    const before = await listing();
    // Act
    const response = await fetch(`${emulator.server.url}/2013-04-01/hostedzone/${zoneId}/rrset/`, { method: 'POST', body: changeBody(value) });
    const text = await response.text();
    // Assess
    expect(response.status).toBe(400);
    expect(text).toContain('<Code>InvalidInput</Code>');
    expect(text).toContain(`Invalid XML ; ${message.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}`);
    expect(NOT_XML.test(text)).toBe(false);
    expect(await listing()).toBe(before);
  });

  it('keeps the listing a valid XML document that the SDK and botocore read', async () => {
    // Act
    const text = await listing();
    const sdk = await emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    // Assess
    expect(NOT_XML.test(text)).toBe(false);
    expect(sdk.ResourceRecordSets?.find((r) => r.Name === 'ok.example.com.')?.ResourceRecords).toEqual([
      { Value: '"plain ASCII, spaces and \\"quotes\\""' },
      { Value: '"an escaped e acute: \\351"' },
    ]);
    expect(sdk.ResourceRecordSets?.some((r) => r.Name === 'bad.example.com.' || r.Name === 'raw.example.com.')).toBe(false);
  });

  it.skipIf(!hasBoto3)('botocore (what the AWS CLI uses) parses the listing', async () => {
    const result = await runPython(
      `
import boto3, json, os
r53 = boto3.client('route53', endpoint_url=os.environ['ENDPOINT'])
sets = r53.list_resource_record_sets(HostedZoneId='${zoneId}')['ResourceRecordSets']
print(json.dumps(sorted(s['Name'] for s in sets)))
`,
      { url: emulator.server.url } as Parameters<typeof runPython>[1],
    );
    expect(result).toEqual(['example.com.', 'example.com.', 'ok.example.com.']);
  });
});
