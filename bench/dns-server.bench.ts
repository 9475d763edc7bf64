// The local DNS server's throughput: queries per second answered over UDP from a zone
// shaped like the example fleet's (weighted, failover and latency apps over three
// clusters), with the client in a worker thread so server and client each have a core.
// Target: over 20,000 queries/s on 2 cores. Beside the rate (which the machine's other load
// moves a lot), the server thread's own CPU time per answered query: what one core could
// answer, whatever else runs.
import { Worker } from 'node:worker_threads';
import { loadavg } from 'node:os';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { createRoute53Service } from '@switchyard/local-aws/route53';
import { startDnsServer } from '@switchyard/local-aws/route53';
import { serveLocalService } from '@switchyard/local-aws/route53';

const TARGET_QPS = 20_000;
const DURATION_MS = 3_000;
/** Queries kept in flight by the client, as a busy resolver fleet would. */
const WINDOW = 64;
const LB: Record<string, string> = {
  east: 'east-lb.elb.us-east-1.amazonaws.com.',
  west: 'west-lb.elb.us-west-2.amazonaws.com.',
  eu: 'eu-lb.elb.eu-west-1.amazonaws.com.',
};
const REGION: Record<string, string> = { east: 'us-east-1', west: 'us-west-2', eu: 'eu-west-1' };
const APPS = 30;

/** The client: sends WINDOW queries, sends another for every answer, counts answers for DURATION_MS. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { port, names, durationMs, window } = workerData;
const socket = dgram.createSocket('udp4');
const queries = names.map((name, i) => {
  const labels = name.split('.');
  const parts = [Buffer.from([0, i & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l));
  parts.push(Buffer.from([0, 0, 1, 0, 1]));
  return Buffer.concat(parts);
});
let answered = 0, sent = 0, done = false;
const send = () => { socket.send(queries[sent++ % queries.length], port, '127.0.0.1'); };
socket.on('message', () => { if (done) return; answered++; send(); });
socket.bind(0, '127.0.0.1', () => {
  const start = Date.now();
  for (let i = 0; i < window; i++) send();
  setTimeout(() => { done = true; parentPort.postMessage({ answered, ms: Date.now() - start }); socket.close(); }, durationMs);
});
`;

export async function run(): Promise<Record<string, unknown>> {
  const service = createRoute53Service({
    insyncDelayMs: 0,
    externalTarget: (name) => {
      const cluster = Object.keys(LB).find((c) => LB[c] === name);
      return cluster === undefined ? undefined : { addresses: [`127.0.1.${Object.keys(LB).indexOf(cluster) + 1}`], healthy: true };
    },
  });
  const server = await serveLocalService(service);
  const client = new Route53Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const zone = await client.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'dns-bench' }));
  const zoneId = zone.HostedZone!.Id!;
  const names: string[] = [];
  const changes = [];
  for (let i = 0; i < APPS; i++) {
    const name = `app-${i}.example.com`;
    names.push(name);
    for (const cluster of Object.keys(LB)) {
      const policy = i % 3 === 0 ? { Weight: 100 } : i % 3 === 1 ? { Failover: cluster === 'east' ? 'PRIMARY' : 'SECONDARY' } : { Region: REGION[cluster] };
      if (i % 3 === 1 && cluster === 'eu') continue;
      changes.push({
        Action: 'CREATE' as const,
        ResourceRecordSet: {
          Name: name,
          Type: 'A' as const,
          SetIdentifier: cluster,
          ...policy,
          AliasTarget: { HostedZoneId: 'Z26RNL4JYFTOTI', DNSName: LB[cluster]!, EvaluateTargetHealth: true },
        },
      });
    }
  }
  await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes as never } }));
  const dns = await startDnsServer({ port: 0, resolve: (q) => service.resolve(q) });
  const load = loadavg()[0];
  try {
    // The server runs on this thread; the client on its own (process.threadCpuUsage counts this thread only).
    const cpuBefore = process.threadCpuUsage();
    const result = await new Promise<{ answered: number; ms: number }>((resolve, reject) => {
      const worker = new Worker(CLIENT, { eval: true, workerData: { port: dns.port, names, durationMs: DURATION_MS, window: WINDOW } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const cpu = process.threadCpuUsage(cpuBefore);
    const qps = Math.round((result.answered / result.ms) * 1000);
    const cpuMicrosPerQuery = Math.round(((cpu.user + cpu.system) / result.answered) * 100) / 100;
    return {
      recordSets: changes.length,
      durationMs: result.ms,
      answered: result.answered,
      queriesPerSecond: qps,
      loadAverageAtStart: load,
      serverCpuMicrosPerQuery: cpuMicrosPerQuery,
      serverOneCoreCapacityQps: Math.round(1e6 / cpuMicrosPerQuery),
      targets: [{ name: 'DNS queries per second from the local server (UDP)', target: `> ${TARGET_QPS}`, actual: qps, pass: qps > TARGET_QPS }],
    };
  } finally {
    client.destroy();
    await dns.close();
    await server.close();
    await service.close();
  }
}
