import { describe, expect, it } from 'vitest';
import { buildWebBundle } from '../../../src/dashboard/bundle.ts';

describe('the dashboard web bundle', () => {
  it('builds from src/dashboard/web with uPlot and dagre inside, under 300 KB with its style', async () => {
    const bundle = await buildWebBundle();
    const bytes = Buffer.byteLength(bundle.script) + Buffer.byteLength(bundle.style);
    expect(bytes).toBeLessThan(300 * 1024);
    // Self-contained: nothing left for a module loader the page does not have.
    expect(bundle.script).not.toMatch(/\brequire\(["']/);
    expect(bundle.script).not.toMatch(/^import /m);
    expect(bundle.style).toContain('.uplot');
  });
});
