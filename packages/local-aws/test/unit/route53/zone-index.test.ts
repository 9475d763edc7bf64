// ListResourceRecordSets over the sorted index, from any start, against the brute-force
// listing (sort everything, scan to the start) after random puts and deletes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pageRecords, pageZoneRecords } from '../../../src/route53/listing.ts';
import type { HostedZone, RecordSet } from '../../../src/route53/model.ts';
import { labelsOf, sortKeyOfName } from '../../../src/route53/names.ts';
import { recordKey, ZoneIndex } from '../../../src/route53/zone-index.ts';

const ZONE = 'example.com.';
// With escapes: a dot or a star within a label (\056, \052) does not cut it.
const label = fc.constantFrom('a', 'b', 'www', 'api', 'z-1', '_x', 'shop', '0', '\\052', 'a\\056b');
const name = fc.array(label, { minLength: 0, maxLength: 3 }).map((labels) => [...labels, ZONE].join('.'));
const type = fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT', 'MX');
const record: fc.Arbitrary<RecordSet> = fc
  .record({ name, type, setIdentifier: fc.option(fc.constantFrom('east', 'west', 'eu'), { nil: undefined }) })
  .map((r) => {
    const set: RecordSet = { name: r.name, type: r.type as RecordSet['type'], ttl: 60, resourceRecords: ['192.0.2.1'] };
    if (r.setIdentifier !== undefined) {
      set.setIdentifier = r.setIdentifier;
      set.weight = 1;
    }
    return set;
  });
const operation = fc.oneof(
  record.map((r) => ({ put: r })),
  record.map((r) => ({ delete: r })),
  // A batch's effect: many sets at once.
  fc.record({ put: fc.array(record, { maxLength: 60 }), deleted: fc.array(record, { maxLength: 40 }) }).map((b) => ({ batch: b })),
  // Many new names after every other (a zone filled in name order): the append path.
  fc.record({ from: fc.integer({ min: 100, max: 999 }), count: fc.integer({ min: 33, max: 60 }) }).map(({ from, count }) => ({
    batch: {
      put: Array.from({ length: count }, (_, i): RecordSet => ({ name: `zz${from + i}.${ZONE}`, type: 'A', ttl: 60, resourceRecords: ['192.0.2.1'] })),
      deleted: [] as RecordSet[],
    },
  })),
);
const start = fc.record({
  name: fc.option(name, { nil: undefined }),
  type: fc.option(type, { nil: undefined }),
  identifier: fc.option(fc.constantFrom('east', 'west', 'eu', ''), { nil: undefined }),
});

describe('ZoneIndex', () => {
  it('pages from any start name exactly as the brute-force listing does', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 30 }), start, fc.integer({ min: 1, max: 7 }), (operations, from, maxItems) => {
        const zone: HostedZone = { id: 'Z1', name: ZONE, callerReference: 'r', privateZone: false, vpcs: [], nameServers: [], records: [] };
        const index = new ZoneIndex(zone);
        const model = new Map<string, RecordSet>();
        for (const op of operations) {
          if ('batch' in op) {
            // As planChangeBatch gives it: each identity once, written or deleted.
            const put = new Map(op.batch.put.map((r) => [recordKey(r), r]));
            const deleted = [...new Set(op.batch.deleted.map(recordKey))].filter((key) => !put.has(key));
            index.apply([...put.values()], deleted);
            for (const key of deleted) model.delete(key);
            for (const [key, r] of put) model.set(key, r);
          } else if ('put' in op) {
            index.put(op.put);
            model.set(recordKey(op.put), op.put);
          } else {
            expect(index.delete(recordKey(op.delete))).toBe(model.delete(recordKey(op.delete)));
          }
        }
        // Starts as the API allows them: a type needs a name, an identifier a type.
        const startAt = {
          ...(from.name === undefined ? {} : { name: from.name }),
          ...(from.name !== undefined && from.type !== undefined ? { type: from.type } : {}),
          ...(from.name !== undefined && from.type !== undefined && from.identifier !== undefined ? { identifier: from.identifier } : {}),
        };
        expect(pageZoneRecords(index, startAt, maxItems)).toEqual(pageRecords([...model.values()], startAt, maxItems));
        expect(index.size).toBe(model.size);
        for (const [key, r] of model) expect([index.get(key), index.named(r.name).get(key)]).toEqual([r, r]);
        // The zone's own array is the sorted list itself.
        expect(zone.records).toEqual((pageRecords([...model.values()], {}, 10_000) as { items: RecordSet[] }).items);
      }),
      { numRuns: 300 },
    );
  });

  it('orders a zone loaded in any order as the brute-force listing does, and finds each set', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 80 }), fc.boolean(), (records, presorted) => {
        const model = new Map(records.map((r) => [recordKey(r), r]));
        const listed = (pageRecords([...model.values()], {}, 10_000) as { items: RecordSet[] }).items;
        // A snapshot written from the index is in order already; any other load is not.
        const loaded = presorted ? [...listed] : [...model.values()];
        const zone: HostedZone = { id: 'Z1', name: ZONE, callerReference: 'r', privateZone: false, vpcs: [], nameServers: [], records: loaded };
        const index = new ZoneIndex(zone);
        expect(zone.records).toEqual(listed);
        for (const [key, r] of model) expect([index.get(key), index.named(r.name).get(key)]).toEqual([r, r]);
        expect(index.get(`nothing.${ZONE}|A|`)).toBeUndefined();
        expect(index.delete(`nothing.${ZONE}|A|`)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('keys a name by its labels reversed', () => {
    fc.assert(
      fc.property(name, (n) => {
        expect(sortKeyOfName(n)).toBe(`${labelsOf(n).reverse().join('.')}.`);
      }),
    );
    expect(sortKeyOfName('.')).toBe('.');
    expect(sortKeyOfName(`a\\056b.${ZONE}`)).toBe(`com.example.a\\056b.`);
  });

  it('finds the sets at a name and by identity', () => {
    const zone: HostedZone = { id: 'Z1', name: ZONE, callerReference: 'r', privateZone: false, vpcs: [], nameServers: [], records: [] };
    const index = new ZoneIndex(zone);
    const a: RecordSet = { name: `www.${ZONE}`, type: 'A', ttl: 60, resourceRecords: ['192.0.2.1'] };
    const txt: RecordSet = { name: `www.${ZONE}`, type: 'TXT', ttl: 60, resourceRecords: ['"x"'] };
    index.put(a);
    index.put(txt);
    expect([...index.named(`www.${ZONE}`).values()]).toEqual([a, txt]);
    expect(index.get(recordKey(txt))).toBe(txt);
    index.delete(recordKey(a));
    expect([...index.named(`www.${ZONE}`).keys()]).toEqual([recordKey(txt)]);
    expect(index.named(`other.${ZONE}`).size).toBe(0);
  });
});

describe('ZoneIndex in chunks', () => {
  const emptyZone = (): HostedZone => ({ id: 'Z1', name: ZONE, callerReference: 'r', privateZone: false, vpcs: [], nameServers: [], records: [] });

  it('pages and finds sets as the brute-force listing does with chunks of any size, also after being stored and read back chunk by chunk', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(operation, fc.constant({ restart: true as const })), { maxLength: 30 }),
        start,
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        (operations, from, maxItems, chunkSize) => {
          const disk = new Map<string, string>();
          const reads: string[] = [];
          const read = (file: string): RecordSet[] => {
            reads.push(file);
            return JSON.parse(disk.get(file)!) as RecordSet[];
          };
          let serial = 0;
          let zone = emptyZone();
          let index = new ZoneIndex(zone, { chunkSize });
          const model = new Map<string, RecordSet>();
          for (const op of operations) {
            if ('restart' in op) {
              // What a snapshot stores; a new index over it reads no chunk until asked.
              const stored = index.store(() => `c${serial++}.json`);
              for (const write of stored.writes) disk.set(write.file, write.text);
              expect(index.store(() => 'unused.json').writes).toEqual([]); // nothing changed since
              zone = emptyZone();
              index = ZoneIndex.stored(zone, stored.chunks, read, { chunkSize });
              reads.length = 0;
              expect([index.chunksRead, index.size]).toEqual([0, model.size]);
            } else if ('batch' in op) {
              const put = new Map(op.batch.put.map((r) => [recordKey(r), r]));
              const deleted = [...new Set(op.batch.deleted.map(recordKey))].filter((key) => !put.has(key));
              index.apply([...put.values()], deleted);
              for (const key of deleted) model.delete(key);
              for (const [key, r] of put) model.set(key, r);
            } else if ('put' in op) {
              index.put(op.put);
              model.set(recordKey(op.put), op.put);
            } else {
              expect(index.delete(recordKey(op.delete))).toBe(model.delete(recordKey(op.delete)));
            }
          }
          const startAt = {
            ...(from.name === undefined ? {} : { name: from.name }),
            ...(from.name !== undefined && from.type !== undefined ? { type: from.type } : {}),
            ...(from.name !== undefined && from.type !== undefined && from.identifier !== undefined ? { identifier: from.identifier } : {}),
          };
          expect(pageZoneRecords(index, startAt, maxItems)).toEqual(pageRecords([...model.values()], startAt, maxItems));
          expect(index.size).toBe(model.size);
          for (const [key, r] of model) expect([index.get(key), index.named(r.name).get(key)]).toEqual([r, r]);
          expect(zone.records).toEqual((pageRecords([...model.values()], {}, 10_000) as { items: RecordSet[] }).items);
          expect(new Set(reads).size).toBe(reads.length); // each chunk read at most once by an index
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads only the chunk a page starts in, and refuses a chunk file that does not hold what the snapshot names', () => {
    const zone = emptyZone();
    const index = new ZoneIndex(zone, { chunkSize: 10 });
    const names = Array.from({ length: 100 }, (_, i) => `n${String(i).padStart(3, '0')}.${ZONE}`);
    index.apply(
      names.map((n): RecordSet => ({ name: n, type: 'A', ttl: 60, resourceRecords: ['192.0.2.1'] })),
      [],
    );
    const disk = new Map<string, string>();
    let serial = 0;
    const stored = index.store(() => `c${serial++}.json`);
    for (const write of stored.writes) disk.set(write.file, write.text);
    expect(stored.chunks.length).toBeGreaterThanOrEqual(5);

    const reopened = ZoneIndex.stored(emptyZone(), stored.chunks, (file) => JSON.parse(disk.get(file)!) as RecordSet[]);
    const page = pageZoneRecords(reopened, { name: names[55]! }, 3);
    expect(page).toMatchObject({ items: names.slice(55, 58).map((name) => ({ name })) });
    expect(reopened.chunksRead).toBe(1);

    // A chunk file that lost a set, or holds another zone's sets: InvalidInput naming the file.
    const [first, second] = stored.chunks;
    disk.set(first!.file, JSON.stringify((JSON.parse(disk.get(first!.file)!) as RecordSet[]).slice(1)));
    disk.set(second!.file, disk.get(stored.chunks[2]!.file)!);
    const damaged = ZoneIndex.stored(emptyZone(), stored.chunks, (file) => JSON.parse(disk.get(file)!) as RecordSet[]);
    expect(() => damaged.get(recordKey({ name: names[0]!, type: 'A' }))).toThrow(`Route 53 record chunk ${first!.file} is damaged: it holds`);
    expect(() => damaged.slice(second!.count + first!.count - 1, 2)).toThrow(
      `Route 53 record chunk ${second!.file} is damaged: its sets are not the ones the snapshot names`,
    );
  });
});
