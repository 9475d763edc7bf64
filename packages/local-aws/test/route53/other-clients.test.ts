// boto3 and the AWS CLI as second, independent clients of the local Route 53.
// Skipped cleanly when python3/boto3 or the aws command are not installed.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZone, startEmulator, type Emulator } from './helpers.ts';

// Each python or aws process takes seconds to start on a busy machine.
const SLOW = 90_000;

const run = promisify(execFile);

function works(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

const hasBoto3 = works('python3', ['-c', 'import boto3']);
const hasAwsCli = works('aws', ['--version']);
const credentials = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
r53 = boto3.client("route53", endpoint_url=sys.argv[1], region_name="us-east-1")
out = {}
zone = r53.create_hosted_zone(Name="boto.example", CallerReference="boto-1")
zid = zone["HostedZone"]["Id"]
out["zone"] = zone["HostedZone"]["Name"]
rr = lambda name, ip: {"Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": ip}]}
changed = r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
    {"Action": "CREATE", "ResourceRecordSet": rr("a.boto.example", "192.0.2.1")},
    {"Action": "CREATE", "ResourceRecordSet": rr("b.boto.example", "192.0.2.2")},
    {"Action": "CREATE", "ResourceRecordSet": dict(rr("*.boto.example", "192.0.2.3"))}]})
out["change"] = r53.get_change(Id=changed["ChangeInfo"]["Id"])["ChangeInfo"]["Status"]
try:
    r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": rr("a.boto.example", "192.0.2.1")}]})
except ClientError as e:
    out["duplicate"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
names = []
for page in r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zid, PaginationConfig={"PageSize": 1}):
    names += [r["Name"] + " " + r["Type"] for r in page["ResourceRecordSets"]]
out["names"] = names
hc = r53.create_health_check(CallerReference="boto-hc", HealthCheckConfig={"Type": "TCP", "IPAddress": "127.0.0.1", "Port": 9, "Disabled": True})
out["healthCheck"] = r53.get_health_check(HealthCheckId=hc["HealthCheck"]["Id"])["HealthCheck"]["HealthCheckConfig"]["Port"]
try:
    r53.delete_hosted_zone(Id=zid)
except ClientError as e:
    out["notEmpty"] = e.response["Error"]["Code"]
print(json.dumps(out))
`;

describe('local Route 53: boto3 and the AWS CLI', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it.skipIf(!hasBoto3)(
    'serves boto3: zones, changes, errors, the record-set paginator and health checks',
    async () => {
      const { stdout } = await run('python3', ['-c', BOTO3_SCRIPT, emulator.server.url], { env: { ...process.env, ...credentials }, timeout: 60_000 });
      const out = JSON.parse(stdout) as Record<string, unknown>;
      expect(out).toEqual({
        zone: 'boto.example.',
        change: 'INSYNC',
        duplicate: ['InvalidChangeBatch', "[Tried to create resource record set [name='a.boto.example.', type='A'] but it already exists]", 400],
        names: ['boto.example. NS', 'boto.example. SOA', '\\052.boto.example. A', 'a.boto.example. A', 'b.boto.example. A'],
        healthCheck: 9,
        notEmpty: 'HostedZoneNotEmpty',
      });
    },
    SLOW,
  );

  it.skipIf(!hasAwsCli)(
    'serves the AWS CLI, errors included',
    async () => {
      const env = { ...process.env, ...credentials };
      const aws = (...args: string[]) => run('aws', ['--endpoint-url', emulator.server.url, '--output', 'json', 'route53', ...args], { env, timeout: 60_000 });

      const zoneId = await createZone(emulator.client, 'cli.example');
      const listed = JSON.parse((await aws('list-hosted-zones-by-name', '--dns-name', 'cli.example')).stdout) as {
        HostedZones: { Id: string; Name: string }[];
      };
      const missing = await aws('get-hosted-zone', '--id', 'ZMISSING').then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );

      expect(listed.HostedZones[0]).toMatchObject({ Id: `/hostedzone/${zoneId}`, Name: 'cli.example.' });
      expect(missing?.code).not.toBe(0);
      expect(missing?.stderr).toContain('NoSuchHostedZone');
      expect(missing?.stderr).toContain('No hosted zone found with ID: ZMISSING');
    },
    SLOW,
  );
});
