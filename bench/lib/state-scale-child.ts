// One process of the state-scale bench (bench/local-state.bench.ts); the last stdout line is
// the JSON result. Each phase runs in a process of its own, so "ready" is a cold start.
//   sfn-fill <stateDir> <n>   the local Step Functions with n closed executions: one real
//                             execution, then n records like it written through the execution
//                             store (its change log and one body file each, as runs leave them)
//   sfn-ready <stateDir> <n>  opens the service on them: ms until ready; checks that all n are
//                             listed and that one closed execution's history reads back
//   r53-fill <file> <n>       the local Route 53 with one zone of n records in batches of 1,000:
//                             the first 10,000 through the API (handle(), as the endpoint calls
//                             it), the rest through the store's commit (what the API calls)
//   r53-ready <file> <n>      opens it: ms until ready (the snapshot file; no record chunk is
//                             read); then one page of 100 from an arbitrary name (reads the
//                             chunk it starts in), one single-record UPSERT, 20 more at names
//                             spread over the zone (their median), and checks the record count
import { performance } from 'node:perf_hooks';
import { readdirSync, statSync } from 'node:fs';
import { createRoute53Service, type Route53Service } from '../../packages/local-aws/src/route53/index.ts';
import { Route53Store } from '../../packages/local-aws/src/route53/store.ts';
import { FileExecutionStore } from '../../packages/local-aws/src/stepfunctions/execution-store.ts';
import { LocalStepFunctions } from '../../packages/local-aws/src/stepfunctions/engine.ts';
import { join } from 'node:path';

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const ZONE = 'big.example';
const BATCH = 1000;
/** Records created through the API; the rest go straight into the store (a million API batches would take the bench's whole budget). */
const API_RECORDS = 10_000;
const ROLE = 'arn:aws:iam::000000000000:role/bench';
const DEFINITION = JSON.stringify({
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: { apps: Array.from({ length: 20 }, (_, i) => `app-${i}.example.com`) }, ResultPath: '$.plan', Next: 'Apply' },
    Apply: { Type: 'Pass', Parameters: { 'first.$': '$.plan.apps[0]' }, ResultPath: '$.applied', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
});
const round = (ms: number): number => Math.round(ms * 10) / 10;

async function call(service: Route53Service, method: string, path: string, body = ''): Promise<string> {
  const response = await service.handle({
    method,
    url: new URL(`http://localhost/2013-04-01/${path}`),
    headers: { host: 'localhost' },
    body: Buffer.from(body),
  });
  const text = String(response.body ?? '');
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return text;
}

const recordXml = (name: string, value: string, action = 'CREATE') =>
  `<Change><Action>${action}</Action><ResourceRecordSet><Name>${name}</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>${value}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`;
const batchXml = (changes: string) =>
  `<ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Changes>${changes}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;
const recordName = (i: number) => `r${String(i).padStart(7, '0')}.${ZONE}`;
const addressOf = (i: number) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;

/** Bytes of the files in a folder (0 when there is none). */
function filesBytes(dir: string): number {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return 0;
  }
  return files.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

async function r53Fill(file: string, n: number): Promise<Record<string, unknown>> {
  const service = createRoute53Service({ statePath: file, insyncDelayMs: 0 });
  const created = await call(
    service,
    'POST',
    'hostedzone',
    `<CreateHostedZoneRequest xmlns="${XMLNS}"><Name>${ZONE}</Name><CallerReference>bench-${Date.now()}</CallerReference></CreateHostedZoneRequest>`,
  );
  const zoneId = /<Id>\/hostedzone\/([A-Z0-9]+)<\/Id>/.exec(created)![1]!;
  // The first batches through the API (validation, XML), as a client makes them...
  const viaApi = Math.min(n, API_RECORDS);
  let started = performance.now();
  for (let first = 0; first < viaApi; first += BATCH) {
    const changes = Array.from({ length: Math.min(BATCH, viaApi - first) }, (_, k) => recordXml(recordName(first + k), addressOf(first + k)));
    await call(service, 'POST', `hostedzone/${zoneId}/rrset`, batchXml(changes.join('')));
  }
  const apiMs = performance.now() - started;
  await service.close();
  // ...the rest straight into the store, in batches of 1,000 (one log line each, compacted as it grows).
  const store = Route53Store.open(file);
  started = performance.now();
  for (let first = viaApi; first < n; first += BATCH) {
    const put = Array.from({ length: Math.min(BATCH, n - first) }, (_, k) => ({
      name: `${recordName(first + k)}.`,
      type: 'A' as const,
      ttl: 60,
      resourceRecords: [addressOf(first + k)],
    }));
    await store.commit([{ op: 'records', zoneId, put, deleted: [] }]);
  }
  const storeMs = performance.now() - started;
  const stored = store.index(zoneId).size;
  await store.close();
  if (stored !== n + 2) throw new Error(`the zone holds ${stored} record sets, not ${n + 2}`);
  return {
    zoneId,
    records: n,
    viaApi: { records: viaApi, ms: round(apiMs), recordsPerSecond: Math.round(viaApi / (apiMs / 1000)) },
    viaStore: { records: n - viaApi, ms: round(storeMs), recordsPerSecond: n > viaApi ? Math.round((n - viaApi) / (storeMs / 1000)) : null },
    // The snapshot file (zones, the chunks' counts and first sets) and the chunk files of the zone's sets.
    snapshotKB: Math.round(statSync(file).size / 1024),
    chunkFilesMB: Math.round(filesBytes(`${file}.records`) / 2 ** 20),
  };
}

async function r53Ready(file: string, n: number): Promise<Record<string, unknown>> {
  const started = performance.now();
  const service = createRoute53Service({ statePath: file, insyncDelayMs: 0 });
  const readyMs = performance.now() - started;
  const zones = await call(service, 'GET', 'hostedzone');
  const zoneId = /<Id>\/hostedzone\/([A-Z0-9]+)<\/Id>/.exec(zones)![1]!;
  // A page from an arbitrary name (the first request also builds what the zone needs, if anything is lazy).
  const from = recordName(Math.floor(n * 0.61803));
  let at = performance.now();
  const page = await call(service, 'GET', `hostedzone/${zoneId}/rrset?name=${from}&type=A&maxitems=100`);
  const firstPageMs = performance.now() - at;
  at = performance.now();
  const again = await call(service, 'GET', `hostedzone/${zoneId}/rrset?name=${recordName(Math.floor(n * 0.3))}&type=A&maxitems=100`);
  const pageMs = performance.now() - at;
  const listed = (page.match(/<ResourceRecordSet>/g) ?? []).length;
  if (listed !== 100 || !page.includes(`<Name>${from}.</Name>`) || (again.match(/<ResourceRecordSet>/g) ?? []).length !== 100) {
    throw new Error(`a page from ${from} did not start there with 100 records`);
  }
  at = performance.now();
  await call(service, 'POST', `hostedzone/${zoneId}/rrset`, batchXml(recordXml(recordName(7), '192.0.2.77', 'UPSERT')));
  const upsertMs = performance.now() - at;
  // 20 more single-record UPSERTs at names spread over the zone (each the first change in its
  // part of the zone since the restart), each read back.
  const upserts: number[] = [];
  for (let k = 1; k <= 20; k++) {
    const name = recordName(Math.floor((n * k) / 21));
    at = performance.now();
    await call(service, 'POST', `hostedzone/${zoneId}/rrset`, batchXml(recordXml(name, `192.0.2.${k}`, 'UPSERT')));
    upserts.push(performance.now() - at);
    const back = await call(service, 'GET', `hostedzone/${zoneId}/rrset?name=${name}&type=A&maxitems=1`);
    if (!back.includes(`<Value>192.0.2.${k}</Value>`)) throw new Error(`the UPSERT of ${name} did not read back`);
  }
  upserts.sort((a, b) => a - b);
  const upsertMedianMs = (upserts[9]! + upserts[10]!) / 2;
  // Every record is there: the zone's count (NS and SOA besides).
  const count = Number(/<ResourceRecordSetCount>(\d+)<\/ResourceRecordSetCount>/.exec(await call(service, 'GET', `hostedzone/${zoneId}`))?.[1]);
  if (count !== n + 2) throw new Error(`the zone holds ${count} record sets after the restart, not ${n + 2}`);
  await service.close();
  return {
    records: n,
    readyMs: round(readyMs),
    firstPageMs: round(firstPageMs),
    pageMs: round(pageMs),
    upsertMs: round(upsertMs),
    upsertMedianMs: round(upsertMedianMs),
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

async function sfnFill(stateDir: string, n: number): Promise<Record<string, unknown>> {
  const engine = await LocalStepFunctions.open({ handlers: {}, stateDir, waitScale: 0 });
  const { stateMachineArn } = engine.createStateMachine({ name: 'Steps', definition: DEFINITION, roleArn: ROLE });
  const { executionArn } = engine.startExecution({ stateMachineArn, name: 'template', input: JSON.stringify({ note: 'x'.repeat(400) }) });
  const template = await engine.waitForExecution(executionArn);
  await engine.close();
  const store = new FileExecutionStore(join(stateDir, 'stepfunctions'));
  await store.load();
  const started = performance.now();
  for (let i = 1; i < n; i++) {
    const arn = `${executionArn.slice(0, -'template'.length)}run-${i}`;
    void store.save({ ...template, executionArn: arn, name: `run-${i}`, startDate: template.startDate + i, stopDate: template.stopDate! + i });
    if (i % 1000 === 0) await store.flush();
  }
  await store.close();
  return { closed: n, fillMs: round(performance.now() - started) };
}

async function sfnReady(stateDir: string, n: number): Promise<Record<string, unknown>> {
  const started = performance.now();
  // All of them kept (the default keeps 10,000 per state machine).
  const engine = await LocalStepFunctions.open({ handlers: {}, stateDir, waitScale: 0, retention: { maxClosedPerStateMachine: n } });
  const readyMs = performance.now() - started;
  const [machine] = engine.listStateMachines().items;
  let listed = 0;
  for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
    const page = engine.listExecutions({ stateMachineArn: machine!.stateMachineArn, maxResults: 1000, ...(token === undefined ? {} : { nextToken: token }) });
    listed += page.items.length;
    token = page.nextToken;
  }
  if (listed !== n) throw new Error(`${listed} executions listed after the restart, not ${n}`);
  const at = performance.now();
  const history = await engine.getExecutionHistory({
    executionArn: machine!.stateMachineArn.replace(':stateMachine:', ':execution:') + `:run-${Math.floor(n / 2)}`,
  });
  const describeMs = performance.now() - at;
  if (history.items.at(-1)?.type !== 'ExecutionSucceeded') throw new Error('a closed execution did not read back whole');
  await engine.close();
  return { closed: n, readyMs: round(readyMs), historyMs: round(describeMs), rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) };
}

const [phase, path, size] = process.argv.slice(2);
const n = Number(size);
if (path === undefined || !Number.isSafeInteger(n) || n < 1) throw new Error('usage: state-scale-child.ts sfn-fill|sfn-ready|r53-fill|r53-ready <path> <n>');
const result =
  phase === 'sfn-fill'
    ? await sfnFill(path, n)
    : phase === 'sfn-ready'
      ? await sfnReady(path, n)
      : phase === 'r53-fill'
        ? await r53Fill(path, n)
        : phase === 'r53-ready'
          ? await r53Ready(path, n)
          : undefined;
if (result === undefined) throw new Error(`state-scale-child: unknown phase ${phase}`);
process.stdout.write(`${JSON.stringify(result)}\n`);
