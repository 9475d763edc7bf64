// Simulated latency for latency records: a client's region comes from its EDNS Client Subnet
// (each region owns one /16 of 100.64.0.0/10, listed below), and "lowest latency" is the
// shortest great-circle distance between the regions' locations. Documented in
// docs/local-runtime.md ("DNS answers").
import { RECORD_REGIONS } from './model.ts';

/** Approximate location (latitude, longitude) of each region's data centres. */
const LOCATIONS: Readonly<Record<string, readonly [number, number]>> = {
  'us-east-1': [38.9, -77.4],
  'us-east-2': [40.0, -83.0],
  'us-west-1': [37.4, -121.9],
  'us-west-2': [45.8, -119.7],
  'ca-central-1': [45.5, -73.6],
  'ca-west-1': [51.0, -114.1],
  'mx-central-1': [20.6, -100.4],
  'sa-east-1': [-23.5, -46.6],
  'eu-west-1': [53.3, -6.3],
  'eu-west-2': [51.5, -0.1],
  'eu-west-3': [48.9, 2.4],
  'eu-central-1': [50.1, 8.7],
  'eu-central-2': [47.4, 8.5],
  'eu-north-1': [59.3, 18.1],
  'eu-south-1': [45.5, 9.2],
  'eu-south-2': [41.6, -0.9],
  'eusc-de-east-1': [52.4, 13.1],
  'il-central-1': [32.1, 34.8],
  'me-south-1': [26.1, 50.6],
  'me-central-1': [25.2, 55.3],
  'af-south-1': [-33.9, 18.4],
  'ap-south-1': [19.1, 72.9],
  'ap-south-2': [17.4, 78.5],
  'ap-east-1': [22.3, 114.2],
  'ap-east-2': [25.0, 121.5],
  'ap-southeast-1': [1.4, 103.8],
  'ap-southeast-2': [-33.9, 151.2],
  'ap-southeast-3': [-6.2, 106.8],
  'ap-southeast-4': [-37.8, 145.0],
  'ap-southeast-5': [3.1, 101.7],
  'ap-southeast-6': [-36.8, 174.8],
  'ap-southeast-7': [13.8, 100.5],
  'ap-northeast-1': [35.7, 139.7],
  'ap-northeast-2': [37.6, 127.0],
  'ap-northeast-3': [34.7, 135.5],
  'cn-north-1': [39.9, 116.4],
  'cn-northwest-1': [37.5, 105.2],
  'us-gov-east-1': [40.0, -83.0],
  'us-gov-west-1': [45.5, -122.7],
};

/** Great-circle distance in km; an unknown region is farthest from everything. */
export function distanceKm(from: string, to: string): number {
  const a = LOCATIONS[from];
  const b = LOCATIONS[to];
  if (a === undefined || b === undefined) return Number.MAX_SAFE_INTEGER;
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Region i of RECORD_REGIONS owns 100.(64 + i).0.0/16. */
export function regionSubnet(region: string): string | undefined {
  const index = (RECORD_REGIONS as readonly string[]).indexOf(region);
  return index < 0 ? undefined : `100.${64 + index}.0.0/16`;
}

/** The simulated region of a client subnet address (EDNS Client Subnet), if it is in the table. */
export function regionOfAddress(address: string): string | undefined {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  if (parts[0] !== 100) return undefined;
  return RECORD_REGIONS[parts[1]! - 64];
}
