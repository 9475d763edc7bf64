/**
 * The two tiers of docs/edge.md: edge clusters are the public entry points; the workload clusters
 * behind them are reached through one name per app in the fleet's upstream zone.
 */
export type Tier = 'edge' | 'workload';

/** The name an edge resolves to reach an app's workload clusters: `<host>.<upstream zone>`. */
export function upstreamName(host: string, upstreamZone: string): string {
  const bare = (name: string) => name.replace(/\.$/, '').toLowerCase();
  return `${bare(host)}.${bare(upstreamZone)}`;
}
