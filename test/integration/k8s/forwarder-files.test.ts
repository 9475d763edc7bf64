// `switchyard discover --watch --source manifests` end to end: manifest folders of a
// temporary fleet, watched with fs.watch, and a real EventBridgeClient sending to the
// local EventBridge service on a loopback endpoint.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDiscover, runDiscoverWatch, type DiscoverOptions, type WatchIo } from '../../../src/cli/commands/discover.ts';
import { quiet, runWatch, startLocalBus, type LocalBus, type WatchRun } from './forwarder-harness.ts';
import { EXAMPLE_FLEET, eventually } from './helpers.ts';

const BLOG = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: blog, namespace: blog, annotations: { switchyard.io/weight: "30" } }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: [blog.example.com] }]
`;

let local: LocalBus;
let fleet: string;
let run: WatchRun | undefined;
let out: string[];
let err: string[];

beforeEach(async () => {
  local = await startLocalBus();
  fleet = await mkdtemp(join(tmpdir(), 'switchyard-forwarder-'));
  await cp(EXAMPLE_FLEET, fleet, { recursive: true });
});
afterEach(async () => {
  await run?.finish();
  run = undefined;
  await local.endpoint.close();
  await rm(fleet, { recursive: true, force: true });
});

/** Starts the forwarder and waits until every cluster has its baseline. */
async function forward(options: Partial<DiscoverOptions> = {}, io: Partial<WatchIo> = {}): Promise<void> {
  run = runWatch({ fleet, source: 'manifests', endpointUrl: local.endpoint.url, ...options }, { files: { debounceMs: 30, resyncMs: 0 }, ...io });
  ({ out, err } = run);
  await eventually(() => err.filter((line) => / watching \(/.test(line)).length === 3);
}

/** Stops the forwarder as SIGINT would; the exit code. */
const finish = () => (run as WatchRun).finish();

const busEvents = () => local.events();

describe('discover --watch --source manifests', () => {
  it('sends a Gateway Published when a manifest is added, a Gateway Withdrawn when it is removed, one line each', async () => {
    // Prepare
    await forward();
    expect(err[0]).toMatch(
      /^forwarding Gateway changes of east \(manifests .*clusters\/east\), west \(.*\), eu \(.*\) to EventBridge bus default at http:\/\/127\.0\.0\.1:\d+; stop with Ctrl-C$/,
    );

    // Act 1: a new Gateway in east
    await writeFile(join(fleet, 'clusters/east/blog.yaml'), BLOG);
    await eventually(() => busEvents().length === 1);
    // Act 2: the manifest is removed again
    await rm(join(fleet, 'clusters/east/blog.yaml'));
    await eventually(() => busEvents().length === 2);
    const code = await finish();

    // Assess
    const [published, withdrawn] = busEvents();
    expect(published).toEqual({
      bus: 'default',
      id: expect.any(String),
      detailType: 'Gateway Published',
      detail: {
        cluster: 'east',
        kind: 'IstioGateway',
        gateway: 'blog/blog',
        hostnames: ['blog.example.com'],
        entryPoint: 'mesh-east-ingress-1a2b3c4d5e6f7a8b.elb.us-east-1.amazonaws.com',
        annotations: { weight: 30 },
        observedAt: expect.any(String),
      },
    });
    expect(withdrawn).toMatchObject({
      detailType: 'Gateway Withdrawn',
      detail: { cluster: 'east', gateway: 'blog/blog', hostnames: ['blog.example.com'], reason: 'deleted' },
    });
    expect(out).toEqual([
      `sent Gateway Published east IstioGateway blog/blog: blog.example.com [${published!.id}]`,
      `sent Gateway Withdrawn east IstioGateway blog/blog: blog.example.com (deleted) [${withdrawn!.id}]`,
    ]);
    expect(code).toBe(0);
    expect(err.slice(-2)).toEqual(['stopping: closing watches and sending what is pending', 'stopped: 2 event(s) sent, 0 not sent']);
  });

  it('sends nothing for a cluster whose manifests cannot be read, and only the real changes once they can', async () => {
    // Prepare: a short periodic re-read, which is what notices a folder that comes back
    await forward({ bus: 'switchyard-dev-bus' }, { files: { debounceMs: 30, resyncMs: 100 } });
    // (the bus does not exist yet: create it so entries are accepted)
    local.bus.createEventBus('switchyard-dev-bus');

    // Act 1: a half-written file in east, then east's whole folder disappears
    await writeFile(join(fleet, 'clusters/east/broken.yaml'), 'kind: Gateway\nmetadata: [unclosed\n');
    await eventually(() => err.some((line) => line.startsWith('east: unreachable')));
    await rename(join(fleet, 'clusters/east'), join(fleet, 'clusters/east-moved'));
    await quiet();
    // ...while west goes on: its api route is deleted (its shop route and canary stay)
    const routes = (await readFile(join(fleet, 'clusters/west/routes.yaml'), 'utf8')).split('\n---\n');
    await writeFile(join(fleet, 'clusters/west/routes.yaml'), routes.filter((doc) => !/\n {2}name: api\n/.test(doc)).join('\n---\n'));
    await eventually(() => busEvents().length > 0);
    await quiet();
    const duringOutage = busEvents();

    // Act 2: east is back, fixed, with one new Gateway
    await rename(join(fleet, 'clusters/east-moved'), join(fleet, 'clusters/east'));
    await writeFile(join(fleet, 'clusters/east/broken.yaml'), BLOG);
    await eventually(() => busEvents().some((e) => e.detail.cluster === 'east'));
    await quiet();
    const code = await finish();

    // Assess: nothing of east was withdrawn; east's change is measured against its last good picture
    expect(duringOutage.every((e) => e.detail.cluster === 'west' && e.bus === 'switchyard-dev-bus')).toBe(true);
    expect(err.filter((line) => line.startsWith('east: unreachable'))).toEqual([
      expect.stringMatching(
        /^east: unreachable, sending nothing for it until it is back \(its last complete picture is kept\): .*broken\.yaml.*not valid YAML/,
      ),
    ]);
    expect(err).toContain('east: reachable again');
    expect(
      busEvents()
        .filter((e) => e.detail.cluster === 'east')
        .map((e) => `${e.detailType} ${e.detail.gateway}`),
    ).toEqual(['Gateway Published blog/blog']);
    expect(code).toBe(0);
  });

  it('with --publish-existing and --json: one JSON line per resource found at start', async () => {
    await forward({ publishExisting: true, json: true });
    await eventually(() => out.length >= 9);
    await quiet();
    const code = await finish();

    const lines = out.map((line) => JSON.parse(line));
    expect(new Set(lines.map((l) => l.eventId))).toEqual(new Set(busEvents().map((e) => e.id)));
    expect(lines.every((l) => l['detail-type'] === 'Gateway Published' && l.eventBusName === 'default')).toBe(true);
    // Everything `discover` lists is announced, once
    const report: string[] = [];
    await runDiscover({ fleet, json: true, source: 'manifests' }, { out: (t) => report.push(t) });
    const listed = JSON.parse(report.join('')).endpoints.map((e: { cluster: string; hostname: string }) => `${e.cluster} ${e.hostname}`);
    expect(lines.flatMap((l) => l.detail.hostnames.map((h: string) => `${l.detail.cluster} ${h}`)).sort()).toEqual(listed.sort());
    expect(code).toBe(0);
  });

  it('sends a change still in its quiet period when stopped', async () => {
    await forward({}, { files: { debounceMs: 60_000, resyncMs: 0 } });
    await writeFile(join(fleet, 'clusters/west/blog.yaml'), BLOG.replace('istio: ingressgateway', 'app: none'));
    await quiet(); // fs.watch has seen it; the re-read waits for the quiet period

    const code = await finish();

    expect(busEvents().map((e) => `${e.detailType} ${e.detail.cluster} ${e.detail.gateway}`)).toEqual(['Gateway Published west blog/blog']);
    expect(code).toBe(0);
  });

  it('stops within the flush time while EventBridge keeps throttling, reports what was not sent, exits 1', async () => {
    const mock = mockClient(EventBridgeClient);
    mock.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    try {
      await forward(
        {},
        { eventBridge: new EventBridgeClient({ region: 'us-east-1' }), flushTimeoutMs: 200, retry: { baseDelayMs: 50, maxDelayMs: 50, maxAttempts: 1000 } },
      );
      await writeFile(join(fleet, 'clusters/east/blog.yaml'), BLOG);
      await eventually(() => err.some((line) => line.startsWith('EventBridge: Rate exceeded; retry')));

      const started = Date.now();
      const code = await finish();

      expect(Date.now() - started).toBeLessThan(2000);
      expect(code).toBe(1);
      expect(err).toContain('not sent: Gateway Published east IstioGateway blog/blog: blog.example.com [-]: stopped before it was sent');
      expect(err.at(-1)).toBe('stopped: 0 event(s) sent, 1 not sent (the flush time ran out)');
    } finally {
      mock.restore();
    }
  });

  it('refuses a bad bus name, and watch-only flags without --watch, before watching anything', async () => {
    await expect(
      runDiscoverWatch({ fleet, watch: true, bus: 'no spaces please' }, { out: () => undefined, signal: new AbortController().signal }),
    ).rejects.toThrow(expect.objectContaining({ name: 'InvalidInput', message: expect.stringContaining('--bus "no spaces please"') }));
    await expect(runDiscover({ fleet, bus: 'switchyard' }, { out: () => undefined })).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidInput', message: '--bus only applies with --watch' }),
    );
  });
});
