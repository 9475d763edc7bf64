// The caching stub resolver of `switchyard local traffic`: an answer is reused for its TTL
// (scaled, as every wait of the local runtime), as a client behind a caching resolver sees
// DNS. Pure: time comes in.

interface Entry {
  addresses: string[];
  expiresAtMs: number;
}

export class DnsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #timeScale: number;

  constructor(timeScale: number) {
    if (!(timeScale >= 0) || !Number.isFinite(timeScale)) throw new RangeError(`time scale ${timeScale}: must be a number ≥ 0`);
    this.#timeScale = timeScale;
  }

  /** The cached addresses of `name`, or undefined once its TTL has run out. */
  get(name: string, nowMs: number): string[] | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined || nowMs >= entry.expiresAtMs) return undefined;
    return entry.addresses;
  }

  put(name: string, addresses: string[], ttlSeconds: number, nowMs: number): void {
    this.#entries.set(name, { addresses, expiresAtMs: nowMs + ttlSeconds * 1000 * this.#timeScale });
  }
}
