// `npm run bench -- compare`: the local Route 53 (`switchyard local route53 --state`, so
// every change is persisted) against moto_server (`python3 -m moto.server`, in memory),
// both running at once and driven by the same workload through the same client code
// (AWS SDK v3, keep-alive): create 10,000 weighted records in 20 batches, list them all in
// pages of 300, make 200 single-record UPSERTs, delete them all in 20 batches. The two
// take turns request by request, so both are measured under the same load. Each phase's target:
// Switchyard at least 3× faster than moto. Without moto it measures Switchyard alone and
// says moto was absent. Also: a 1,000,000-record zone in one process (create in batches of
// 1,000, a single UPSERT, a page from the middle, restart time).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client, type Change } from '@aws-sdk/client-route-53';
import { createRoute53Service } from '@switchyard/local-aws/route53';
import { median } from './lib/stats.ts';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const RECORDS = 10_000;
const BATCHES = 20;
const UPSERTS = 200;
/** UPSERTs sent to one server before the other takes its turn. */
const UPSERT_TURN = 20;
const TARGET_RATIO = 3;
/** The big zone's size: 1,000,000 unless BENCH_BIG_ZONE_RECORDS says otherwise (a multiple of 1,000). */
const MILLION = Number(process.env['BENCH_BIG_ZONE_RECORDS'] ?? 1_000_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
    try {
      await fetch(`${url}/2013-04-01/hostedzone`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not start within 120 s`);
}

const weighted = (action: 'CREATE' | 'UPSERT' | 'DELETE', i: number, value = '192.0.2.1'): Change => ({
  Action: action,
  ResourceRecordSet: { Name: `app${i}.bench.example.`, Type: 'A', SetIdentifier: 'east', Weight: 10, TTL: 60, ResourceRecords: [{ Value: value }] },
});

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return Math.round(performance.now() - started);
}

const PHASES = ['create', 'list', 'upsert', 'delete'] as const;
type Phase = (typeof PHASES)[number];

/** One server under the workload: its own client (same code, same options), its zone, and the time each phase took on it. */
interface Target {
  url: string;
  client: Route53Client;
  zoneId: string;
  ms: Record<Phase, number>;
  /** Each UPSERT's time, for its median. */
  upsertLatencies: number[];
}

/** Runs one request against a target and adds its time to the phase. */
async function request(target: Target, phase: Phase, send: (client: Route53Client, zoneId: string) => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await send(target.client, target.zoneId);
  target.ms[phase] += performance.now() - started;
}

/**
 * The workload, phase by phase, in ms per server. The servers take turns request by request
 * (batch, page or UPSERT), so a machine whose load changes during the run weighs on every
 * server alike: each phase's ratio compares times taken in the same seconds.
 */
async function workload(urls: readonly string[]): Promise<Array<{ ms: Record<Phase, number>; upsertMedianMs: number }>> {
  const targets: Target[] = [];
  try {
    for (const url of urls) {
      const client = new Route53Client({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1 });
      const zone = await client.send(new CreateHostedZoneCommand({ Name: 'bench.example', CallerReference: `bench-${Date.now()}` }));
      targets.push({ url, client, zoneId: zone.HostedZone!.Id!, ms: { create: 0, list: 0, upsert: 0, delete: 0 }, upsertLatencies: [] });
    }
    const perBatch = RECORDS / BATCHES;
    const batches = async (phase: 'create' | 'delete', action: 'CREATE' | 'DELETE', value?: (i: number) => string) => {
      for (let b = 0; b < BATCHES; b++) {
        const changes = Array.from({ length: perBatch }, (_, k) => weighted(action, b * perBatch + k, value?.(b * perBatch + k)));
        for (const target of targets) {
          await request(target, phase, (client, zoneId) =>
            client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } })),
          );
        }
      }
    };
    await batches('create', 'CREATE');
    // Every server's listing advances one page per turn until each has listed all.
    const cursors = targets.map((target) => ({ target, start: {} as Record<string, string>, listed: 0, done: false }));
    while (cursors.some((c) => !c.done)) {
      for (const cursor of cursors.filter((c) => !c.done)) {
        await request(cursor.target, 'list', async (client, zoneId) => {
          const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300, ...cursor.start }));
          cursor.listed += page.ResourceRecordSets?.length ?? 0;
          cursor.done = !page.IsTruncated;
          cursor.start = {
            StartRecordName: page.NextRecordName!,
            StartRecordType: page.NextRecordType!,
            ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
          };
        });
      }
    }
    for (const cursor of cursors) {
      if (cursor.listed < RECORDS) throw new Error(`${cursor.target.url}: listed ${cursor.listed} record sets, expected at least ${RECORDS}`);
    }
    // UPSERTs take turns in runs of UPSERT_TURN: a request right after the other server's may
    // meet what that server still does once it has answered (its own scheduling, its collector).
    for (let first = 0; first < UPSERTS; first += UPSERT_TURN) {
      for (const target of targets) {
        for (let i = first; i < Math.min(UPSERTS, first + UPSERT_TURN); i++) {
          const change = weighted('UPSERT', (i * 37) % RECORDS, '192.0.2.2');
          const started = performance.now();
          await request(target, 'upsert', (client, zoneId) =>
            client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [change] } })),
          );
          target.upsertLatencies.push(performance.now() - started);
        }
      }
    }
    const upserted = new Set(Array.from({ length: UPSERTS }, (_, i) => (i * 37) % RECORDS));
    await batches('delete', 'DELETE', (i) => (upserted.has(i) ? '192.0.2.2' : '192.0.2.1'));
    return targets.map((target) => ({
      ms: Object.fromEntries(PHASES.map((phase) => [phase, Math.round(target.ms[phase])])) as Record<Phase, number>,
      upsertMedianMs: Math.round(median(target.upsertLatencies) * 100) / 100,
    }));
  } finally {
    for (const target of targets) target.client.destroy();
  }
}

async function startSwitchyard(stateDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'local', 'route53', '--port', String(port), '--state', join(stateDir, 'route53.json'), '--insync-delay', '0'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, child);
  return { url, child };
}

async function startMoto(): Promise<{ url: string; child: ChildProcess } | undefined> {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' });
  if (probe.status !== 0) return undefined;
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-p', String(port)], { stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, child);
  return { url, child };
}

/** The million-record zone, in process (XML through the service's handler, as the endpoint does). */
async function million(stateDir: string): Promise<Record<string, number>> {
  const statePath = join(stateDir, 'million.json');
  const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
  let service = createRoute53Service({ statePath, insyncDelayMs: 0 });
  const call = async (method: string, path: string, body = '') => {
    const answer = await service.handle({
      method,
      url: new URL(`http://localhost/2013-04-01/${path}`),
      headers: { host: 'localhost' },
      body: Buffer.from(body),
    });
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${String(answer.body)}`);
    return String(answer.body);
  };
  const created = await call(
    'POST',
    'hostedzone',
    `<CreateHostedZoneRequest xmlns="${XMLNS}"><Name>million.example</Name><CallerReference>million</CallerReference></CreateHostedZoneRequest>`,
  );
  const zoneId = /<Id>\/hostedzone\/([A-Z0-9]+)<\/Id>/.exec(created)![1]!;
  const change = (action: string, i: number, value: string) =>
    `<Change><Action>${action}</Action><ResourceRecordSet><Name>r${i}.million.example</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>${value}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`;
  const batch = (changes: string) =>
    `<ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Changes>${changes}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;
  const create = await timed(async () => {
    for (let b = 0; b < MILLION / 1000; b++) {
      await call('POST', `hostedzone/${zoneId}/rrset`, batch(Array.from({ length: 1000 }, (_, k) => change('CREATE', b * 1000 + k, '192.0.2.1')).join('')));
    }
  });
  const upserts = 100;
  const upsertTotal = await timed(async () => {
    for (let i = 0; i < upserts; i++) await call('POST', `hostedzone/${zoneId}/rrset`, batch(change('UPSERT', (i * 7919) % MILLION, '192.0.2.2')));
  });
  const page = await timed(() => call('GET', `hostedzone/${zoneId}/rrset?name=r500000.million.example&maxitems=300`));
  // Restart from what a killed process leaves (snapshot + log), then after a clean stop (one snapshot).
  const reopenFromLog = await timed(async () => {
    const second = createRoute53Service({ statePath });
    await second.close();
  });
  await service.close();
  const reopen = await timed(async () => {
    service = createRoute53Service({ statePath });
  });
  await service.close();
  return {
    records: MILLION,
    createMs: create,
    upsertMeanMs: Math.round((upsertTotal / upserts) * 100) / 100,
    pageFromMiddleMs: page,
    restartFromLogMs: reopenFromLog,
    restartFromSnapshotMs: reopen,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'switchyard-bench-compare-'));
  const servers: ChildProcess[] = [];
  try {
    const switchyard = await startSwitchyard(stateDir);
    servers.push(switchyard.child);
    const moto = await startMoto();
    if (moto !== undefined) servers.push(moto.child);
    // Both are up at once and take turns, request by request, through the same client code.
    const measured = await workload(moto === undefined ? [switchyard.url] : [switchyard.url, moto.url]);
    const ours = measured[0]!.ms;
    const theirs = measured[1]?.ms;
    const upsertMedianMs = { switchyard: measured[0]!.upsertMedianMs, ...(measured[1] === undefined ? {} : { moto: measured[1].upsertMedianMs }) };
    process.stderr.write(`compare: switchyard ${JSON.stringify(ours)}\n`);
    process.stderr.write(`compare: moto ${JSON.stringify(theirs ?? 'absent')}\n`);
    const phases = PHASES;
    const ratios = theirs === undefined ? undefined : Object.fromEntries(phases.map((p) => [p, Math.round((theirs[p]! / Math.max(1, ours[p]!)) * 10) / 10]));
    const millionRecords = await million(stateDir);
    process.stderr.write(`compare: big zone ${JSON.stringify(millionRecords)}\n`);
    return {
      workload: { records: RECORDS, createBatches: BATCHES, pageSize: 300, upserts: UPSERTS },
      switchyardMs: ours,
      // A diagnostic, not a target: the median is what a loaded machine disturbs least.
      upsertMedianMs,
      ...(theirs === undefined
        ? { moto: 'absent (python3 -m moto.server not available): Switchyard measured alone' }
        : { motoMs: theirs, motoOverSwitchyard: ratios }),
      millionRecords,
      targets:
        ratios === undefined
          ? []
          : phases.map((p) => ({
              name: `${p}: at least ${TARGET_RATIO}x faster than moto`,
              target: TARGET_RATIO,
              actual: ratios[p]!,
              pass: ratios[p]! >= TARGET_RATIO,
            })),
    };
  } finally {
    for (const child of servers) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await rm(stateDir, { recursive: true, force: true });
  }
}
