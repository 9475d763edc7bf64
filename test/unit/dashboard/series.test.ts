import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dnsShare, SeriesStore } from '../../../src/dashboard/series.ts';

describe('dnsShare', () => {
  const clusterOf = (address: string) => ({ '10.0.0.1': 'east', '10.0.0.2': 'west' })[address];

  it('is the percent of answers naming each cluster, over every app', () => {
    let i = 0;
    // app a: always east; app b: east and west in turn.
    const answer = (app: string) => (app === 'a' ? ['10.0.0.1'] : [i++ % 2 === 0 ? '10.0.0.1' : '10.0.0.2']);
    expect(dnsShare(['a', 'b'], ['east', 'west', 'eu'], 10, answer, clusterOf)).toEqual({ east: 75, west: 25, eu: 0 });
  });

  it('splits a multi-address answer, leaves out empty answers and counts unknown addresses toward no cluster', () => {
    const answers: Record<string, string[]> = { multi: ['10.0.0.1', '10.0.0.2'], none: [], other: ['192.0.2.9'] };
    expect(dnsShare(['multi', 'none', 'other'], ['east', 'west'], 4, (app) => answers[app]!, clusterOf)).toEqual({ east: 25, west: 25 });
    expect(dnsShare(['none'], ['east'], 4, () => [], clusterOf)).toEqual({ east: 0 });
  });

  it('never gives the clusters more than 100 % together', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom('10.0.0.1', '10.0.0.2', '192.0.2.1'), { maxLength: 3 }), { minLength: 1, maxLength: 20 }), (answers) => {
        let i = 0;
        const share = dnsShare(['x'], ['east', 'west'], answers.length, () => answers[i++]!, clusterOf);
        return share.east! + share.west! <= 100.1 && share.east! >= 0 && share.west! >= 0;
      }),
      { verbose: true },
    );
  });
});

describe('SeriesStore', () => {
  it('keeps the last samples of a series and tells listeners', () => {
    const store = new SeriesStore(2);
    const heard: number[] = [];
    store.onSample((_kind, sample) => heard.push(sample.t));
    store.define({ kind: 'dns-share', title: 't', unit: '%', clusters: ['east'] });
    for (const t of [1, 2, 3]) store.append('dns-share', { t, values: { east: t } });
    expect(store.list()[0]!.samples.map((s) => s.t)).toEqual([2, 3]);
    expect(heard).toEqual([1, 2, 3]);
  });

  it('refuses a sample for a series nobody defined', () => {
    expect(() => new SeriesStore().append('requests', { t: 1, values: {} })).toThrow(/series "requests" is not defined/);
  });
});
