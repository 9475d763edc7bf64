import { describe, expect, it } from 'vitest';
import { formatDryRun, formatResult } from '../../../src/cli/ops/operation.ts';

// Outputs list their first 100 apps or changes and count the rest (docs/workflows.md, Payload limits).
const apps = Array.from({ length: 100 }, (_, i) => ({
  hostname: `app-${String(i).padStart(5, '0')}.example.com`,
  routing: 'weighted',
  weightBefore: 100,
  weightAfter: 0,
  before: { present: true, inTraffic: true, weight: 100 },
  after: { present: true, inTraffic: false, weight: 0 },
}));

describe('drain/restore --wait summary', () => {
  it('prints each listed app and says how many more moved the same way', () => {
    // Act
    const text = formatResult('drain', { cluster: 'west', state: 'DRAINED', weightPercent: 0, apps, appsNotListed: 9_900 });

    // Assess
    const lines = text.split('\n');
    expect(lines[0]).toBe('west: DRAINED at 0% of normal weight');
    expect(lines).toHaveLength(1 + 100 + 1);
    expect(lines[1]).toMatch(/^ {2}app-00000\.example\.com +weighted +weight 100 -> weight 0$/);
    expect(lines.at(-1)).toBe("  ... and 9900 more app(s), moved the same way (every app's record: switchyard status)");
  });

  it('prints no count when every app is listed', () => {
    expect(formatResult('drain', { cluster: 'west', state: 'DRAINED', weightPercent: 0, apps: apps.slice(0, 2) }).split('\n')).toHaveLength(3);
  });
});

describe('dry run summary', () => {
  it('says how many changes a step did not list', () => {
    // Prepare
    const changes = apps.map((a) => ({ action: 'UPSERT', name: `${a.hostname}.`, type: 'A', setIdentifier: 'west', weight: 0 }));

    // Act
    const text = formatDryRun({
      cluster: 'west',
      waitSeconds: 60,
      safe: true,
      refusals: [],
      steps: [{ weightPercent: 0, safe: true, violations: '', changes, changesNotListed: 9_900 }],
    });

    // Assess
    expect(text).toContain('  UPSERT app-00099.example.com. A west weight 0\n  ... and 9900 more change(s)');
  });
});
