// ListResourceRecordSets over HTTP: Route 53's order, MaxItems, the Start*/Next*
// fields, and (property) that paging through any zone returns every set once, in order.
import { ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, change, createZone, failure, simple, startEmulator, type Emulator } from './helpers.ts';

describe('local Route 53: listing record sets', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  const list = (zoneId: string, extra: Partial<ConstructorParameters<typeof ListResourceRecordSetsCommand>[0]> = {}) =>
    emulator.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...extra }));
  const keyOf = (r: ResourceRecordSet) => `${r.Name} ${r.Type}${r.SetIdentifier === undefined ? '' : ` ${r.SetIdentifier}`}`;

  it('sorts by name with the labels reversed, then by type, then by set identifier', async () => {
    // Prepare
    const zoneId = await createZone(emulator.client, 'example.com');
    const weighted = (id: string) => ({ ...simple('w.example.com', 'A', ['192.0.2.1']), SetIdentifier: id, Weight: 1 });
    await apply(
      emulator.client,
      zoneId,
      change('CREATE', simple('b.example.com', 'TXT', ['"t"'])),
      change('CREATE', simple('b.example.com', 'A', ['192.0.2.1'])),
      change('CREATE', simple('a.b.example.com', 'A', ['192.0.2.1'])),
      change('CREATE', simple('a-b.example.com', 'A', ['192.0.2.1'])),
      change('CREATE', simple('*.example.com', 'A', ['192.0.2.1'])),
      change('CREATE', weighted('zz')),
      change('CREATE', weighted('aa')),
      change('CREATE', simple('ab.example.com', 'MX', ['10 mail.example.com'])),
    );

    // Act
    const page = await list(zoneId);

    // Assess: names compare in their escaped form ("com.example.\052." before
    // "com.example.a-b."), "a-b" before "ab" ('-' < 'b'), and "com.example.b."
    // before "com.example.b.a." (the shorter name ends first).
    expect(page.ResourceRecordSets!.map(keyOf)).toEqual([
      'example.com. NS',
      'example.com. SOA',
      '\\052.example.com. A',
      'a-b.example.com. A',
      'ab.example.com. MX',
      'b.example.com. A',
      'b.example.com. TXT',
      'a.b.example.com. A',
      'w.example.com. A aa',
      'w.example.com. A zz',
    ]);
    expect(page).toMatchObject({ IsTruncated: false, MaxItems: 300 });
    expect(page.NextRecordName).toBeUndefined();
  });

  it('pages with MaxItems and NextRecordName, NextRecordType and NextRecordIdentifier', async () => {
    // Prepare
    const zoneId = await createZone(emulator.client, 'paging.example');
    const weighted = (id: string) => change('CREATE', { ...simple('api.paging.example', 'A', ['192.0.2.1']), SetIdentifier: id, Weight: 1 });
    await apply(emulator.client, zoneId, weighted('one'), weighted('three'), weighted('two'));

    // Act
    const first = await list(zoneId, { MaxItems: 3 });
    const second = await list(zoneId, {
      MaxItems: 3,
      StartRecordName: first.NextRecordName,
      StartRecordType: first.NextRecordType,
      StartRecordIdentifier: first.NextRecordIdentifier,
    });

    // Assess
    expect(first.ResourceRecordSets!.map(keyOf)).toEqual(['paging.example. NS', 'paging.example. SOA', 'api.paging.example. A one']);
    expect(first).toMatchObject({ IsTruncated: true, MaxItems: 3, NextRecordName: 'api.paging.example.', NextRecordType: 'A', NextRecordIdentifier: 'three' });
    expect(second.ResourceRecordSets!.map(keyOf)).toEqual(['api.paging.example. A three', 'api.paging.example. A two']);
    expect(second.IsTruncated).toBe(false);
  });

  it('starts at the first set whose name is at or after StartRecordName when no type is given', async () => {
    const zoneId = await createZone(emulator.client, 'start.example');
    await apply(
      emulator.client,
      zoneId,
      change('CREATE', simple('m.start.example', 'A', ['192.0.2.1'])),
      change('CREATE', simple('x.start.example', 'A', ['192.0.2.1'])),
    );
    const page = await list(zoneId, { StartRecordName: 'N.start.example' });
    expect(page.ResourceRecordSets!.map(keyOf)).toEqual(['x.start.example. A']);
  });

  it('caps MaxItems at 300 and refuses a type without a name (InvalidInput)', async () => {
    const zoneId = await createZone(emulator.client, 'cap.example');
    expect((await list(zoneId, { MaxItems: 1000 })).MaxItems).toBe(300);
    const error = await failure(list(zoneId, { StartRecordType: 'A' }));
    expect(error.name).toBe('InvalidInput');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('property: paging through any zone with any MaxItems returns every set exactly once, in list order', async () => {
    const label = fc.stringMatching(/^[a-z0-9_-]{1,6}$/);
    const setArbitrary = fc.record({
      labels: fc.array(label, { minLength: 1, maxLength: 3 }),
      type: fc.constantFrom('A', 'TXT', 'MX'),
      routed: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(setArbitrary, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 7 }), async (sets, maxItems) => {
        // Prepare: one set per (name, type), all simple or all routed.
        const zoneId = await createZone(emulator.client, 'prop.example');
        const byKey = new Map<string, ResourceRecordSet>();
        const routedByNameType = new Map<string, boolean>();
        for (const s of sets) {
          const name = `${s.labels.join('.')}.prop.example`;
          const value = s.type === 'A' ? '192.0.2.1' : s.type === 'MX' ? '10 mx.prop.example' : '"v"';
          const base = simple(name, s.type, [value]);
          const nameType = `${name}|${s.type}`;
          const routed = routedByNameType.get(nameType) ?? s.routed !== undefined;
          routedByNameType.set(nameType, routed);
          if (routed) byKey.set(`${nameType}|${s.routed ?? 'a'}`, { ...base, SetIdentifier: s.routed ?? 'a', Weight: 1 });
          else byKey.set(nameType, base);
        }
        await apply(emulator.client, zoneId, ...[...byKey.values()].map((set) => change('CREATE', set)));
        const expected = (await list(zoneId)).ResourceRecordSets!.map(keyOf);

        // Act
        const seen: string[] = [];
        let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string } = {};
        for (;;) {
          const page = await list(zoneId, { MaxItems: maxItems, ...start });
          expect(page.ResourceRecordSets!.length).toBeLessThanOrEqual(maxItems);
          seen.push(...page.ResourceRecordSets!.map(keyOf));
          if (!page.IsTruncated) break;
          start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
          if (page.NextRecordIdentifier !== undefined) start.StartRecordIdentifier = page.NextRecordIdentifier;
        }

        // Assess
        expect(seen).toEqual(expected);
        expect(expected).toHaveLength(byKey.size + 2);
        const sortKey = (k: string) => k.split(' ')[0]!.slice(0, -1).split('.').reverse().join('.') + '.';
        const keys = expected.map(sortKey);
        expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }),
      { numRuns: 15 },
    );
  });
});
