// Property, over HTTP: whichever way a name is written (any letter case, characters
// or their \ooo escapes, with or without the trailing dot), Route 53 returns one
// canonical form (lower case, \ooo for anything but a-z 0-9 - _) and treats all the
// spellings as the same set.
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, change, createZone, simple, startEmulator, type Emulator } from './helpers.ts';

const SPECIAL = '!"#$%&\'()*+,/:;<=>?@[]^`{|}~\\.';
const PLAIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

const octal = (ch: string) => `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`;

/** The canonical form: Route 53's documented output rules, written independently of the emulator. */
function canonical(chars: string[]): string {
  return chars
    .map((ch) => ch.toLowerCase())
    .map((ch) => (/^[a-z0-9_-]$/.test(ch) ? ch : octal(ch)))
    .join('');
}

/** One spelling of a label: each character as itself (where allowed), in either case, or escaped. */
const spelling = (chars: string[]) =>
  fc
    .tuple(
      ...chars.map((ch) =>
        fc.tuple(fc.boolean(), fc.boolean()).map(([escape, upper]) => {
          const cased = upper ? ch.toUpperCase() : ch.toLowerCase();
          return escape || ch === '.' || ch === '\\' ? octal(cased) : cased;
        }),
      ),
    )
    .map((parts) => parts.join(''));

describe('local Route 53: name spellings (property)', () => {
  let emulator: Emulator;
  let zoneId: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    zoneId = await createZone(emulator.client, 'names.example');
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('returns one canonical name for every spelling, and matches the set by any spelling', async () => {
    const label = fc.array(fc.constantFrom(...(PLAIN + SPECIAL).split('')), { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        label.chain((chars) => fc.tuple(fc.constant(chars), spelling(chars), spelling(chars), fc.boolean())),
        async ([chars, created, deleted, trailingDot]) => {
          // Act
          await apply(emulator.client, zoneId, change('CREATE', simple(`${created}.NAMES.example${trailingDot ? '.' : ''}`, 'TXT', ['"v"'])));
          const listed = (await emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!;
          await apply(emulator.client, zoneId, change('DELETE', simple(`${deleted}.names.example`, 'TXT', ['"v"'])));

          // Assess
          expect(listed.filter((r) => r.Type === 'TXT').map((r) => r.Name)).toEqual([`${canonical(chars)}.names.example.`]);
          const after = (await emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!;
          expect(after.map((r) => r.Type)).toEqual(['NS', 'SOA']);
        },
      ),
      { numRuns: 40 },
    );
  });
});
