// What `switchyard local traffic` tells the running local runtime each second, so the
// dashboard can draw what was actually sent and answered (POST /_switchyard/traffic, with
// the control token; docs/local-runtime.md). Pure: the shape, and its check on arrival.
import { InvalidInput } from '../../core/errors.ts';
import type { AppCounts } from './tally.ts';

export interface TrafficReport {
  /** One id per `local traffic` run: reports of several generators running at once add up. */
  generator: string;
  /** The time the counts cover, ending now (ms). */
  intervalMs: number;
  apps: AppCounts[];
}

/** Bounds that no real report comes near: anything beyond is a mistake, not traffic. */
const MAX_INTERVAL_MS = 3_600_000;
const MAX_COUNT = 10_000_000;
const MAX_APPS = 1000;

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_COUNT)
    throw new InvalidInput(`${what}: ${JSON.stringify(value)} is not a whole number of requests from 0 to ${MAX_COUNT}`);
  return value;
}

/** Checks a report as it arrives: every field named in the error, a cluster the fleet does not have refused. */
export function parseTrafficReport(body: unknown, clusters: readonly string[]): TrafficReport {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInput('traffic report: expected a JSON object');
  const { generator, intervalMs, apps } = body as Record<string, unknown>;
  if (typeof generator !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(generator))
    throw new InvalidInput(`traffic report: generator ${JSON.stringify(generator)} is not an id of 1–64 letters, digits, ".", "_" or "-"`);
  if (typeof intervalMs !== 'number' || !(intervalMs > 0 && intervalMs <= MAX_INTERVAL_MS))
    throw new InvalidInput(`traffic report: intervalMs ${JSON.stringify(intervalMs)} must be more than 0 and at most ${MAX_INTERVAL_MS}`);
  if (!Array.isArray(apps) || apps.length > MAX_APPS) throw new InvalidInput(`traffic report: apps must be a list of at most ${MAX_APPS} apps`);
  return {
    generator,
    intervalMs,
    apps: apps.map((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new InvalidInput(`traffic report: apps[${i}] is not an object`);
      const { app, answered, errors } = entry as Record<string, unknown>;
      if (typeof app !== 'string' || app === '' || app.length > 253)
        throw new InvalidInput(`traffic report: apps[${i}].app ${JSON.stringify(app)} is not a hostname`);
      if (typeof answered !== 'object' || answered === null || Array.isArray(answered))
        throw new InvalidInput(`traffic report: apps[${i}].answered (${app}) must map clusters to request counts`);
      const checked: Record<string, number> = {};
      for (const [cluster, n] of Object.entries(answered)) {
        if (!clusters.includes(cluster))
          throw new InvalidInput(
            `traffic report: apps[${i}].answered (${app}) names cluster "${cluster}", which the fleet does not have (it has ${clusters.join(', ')})`,
          );
        checked[cluster] = count(n, `traffic report: apps[${i}].answered.${cluster} (${app})`);
      }
      return { app, answered: checked, errors: count(errors ?? 0, `traffic report: apps[${i}].errors (${app})`) };
    }),
  };
}
