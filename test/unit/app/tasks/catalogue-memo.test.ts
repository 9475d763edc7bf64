import { describe, expect, it } from 'vitest';
import { catalogueApps } from '../../../../src/core/catalogue.ts';
import { catalogueOf } from '../../../../src/app/tasks/catalogue-memo.ts';
import { exampleEndpoints as exampleEndpointsOf, exampleFleet } from '../../aws/helpers/example-fleet.ts';

const exampleEndpoints = exampleEndpointsOf();

describe('catalogueOf', () => {
  it('is catalogueApps of the endpoints', () => {
    // Act
    const apps = catalogueOf(exampleFleet, exampleEndpoints);
    // Assess
    expect(apps).toEqual(catalogueApps(exampleFleet, exampleEndpoints));
  });

  it('answers an unchanged catalogue (a fresh copy of the same content) from memory, frozen', () => {
    // Prepare
    const first = catalogueOf(exampleFleet, exampleEndpoints);
    // Act
    const again = catalogueOf(exampleFleet, structuredClone(exampleEndpoints));
    // Assess
    expect(again).toBe(first);
    expect(Object.isFrozen(again)).toBe(true);
    expect(Object.isFrozen(again[0]!.members[0])).toBe(true);
    expect(() => (again[0]!.members as unknown[]).push({})).toThrow(TypeError);
  });

  it('computes again when any endpoint changed (a cluster stops publishing an app)', () => {
    // Prepare
    const before = catalogueOf(exampleFleet, exampleEndpoints);
    const app = before.find((a) => a.members.length > 1)!;
    const gone = app.members[0]!.cluster;
    const changed = exampleEndpoints.filter((e) => !(e.hostname === app.hostname && e.cluster === gone));
    // Act
    const after = catalogueOf(exampleFleet, changed);
    // Assess
    expect(after).not.toBe(before);
    expect(after).toEqual(catalogueApps(exampleFleet, changed));
    expect(after.find((a) => a.hostname === app.hostname)?.members.map((m) => m.cluster)).not.toContain(gone);
  });

  it('answers a new list of the same frozen endpoints (as the state table hands them out) from memory', () => {
    // Prepare
    const frozen = structuredClone(exampleEndpoints).map((e) => {
      Object.freeze(e.annotations);
      return Object.freeze(e);
    });
    const first = catalogueOf(exampleFleet, frozen);
    // Act
    const again = catalogueOf(exampleFleet, [...frozen]);
    // Assess
    expect(again).toBe(first);
  });

  it('sees an endpoint changed in place when the endpoints are not frozen', () => {
    // Prepare
    const endpoints = structuredClone(exampleEndpoints);
    const before = catalogueOf(exampleFleet, endpoints);
    const app = before.find((a) => a.members.length > 1)!;
    const moved = endpoints.find((e) => e.hostname === app.hostname)!;
    // Act
    moved.hostname = 'moved.example.com';
    const after = catalogueOf(exampleFleet, endpoints);
    // Assess
    expect(after).toEqual(catalogueApps(exampleFleet, endpoints));
    expect(after.some((a) => a.hostname === 'moved.example.com')).toBe(true);
  });

  it('keeps fleets apart (same endpoints, another fleet document)', () => {
    // Prepare
    const other = structuredClone(exampleFleet);
    other.clusters = other.clusters.map((c) => ({ ...c, weight: 7 }));
    const first = catalogueOf(exampleFleet, exampleEndpoints);
    // Act
    const apps = catalogueOf(other, exampleEndpoints);
    // Assess
    expect(apps).toEqual(catalogueApps(other, exampleEndpoints));
    expect(apps).not.toEqual(first);
  });
});
