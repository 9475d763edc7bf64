// Small JSON files written atomically (temp file + rename), one write at a time per
// file, the latest value winning: local services keep their state across restarts
// without ever leaving a half-written file behind.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}

export async function writeJsonFileAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(value));
  await rename(temporary, path);
}

/**
 * Coalesces writes per file: while one is in flight, only the newest pending value is
 * written next. `maxConcurrentWrites` bounds how many files are written at once (a burst of
 * thousands of files would otherwise serialize them all at the same time).
 */
export class JsonFileWriter {
  private readonly pending = new Map<string, () => unknown>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly maxConcurrentWrites: number;
  private readonly waiting: Array<() => void> = [];
  private writing = 0;
  private failure: unknown;

  constructor(options: { maxConcurrentWrites?: number } = {}) {
    this.maxConcurrentWrites = options.maxConcurrentWrites ?? Infinity;
  }

  /**
   * `snapshot` is called when the write happens, so it sees the latest state. Resolves
   * when this path's writes so far have landed: with undefined, or the error that stopped them.
   */
  schedule(path: string, snapshot: () => unknown): Promise<unknown> {
    this.pending.set(path, snapshot);
    let inFlight = this.inFlight.get(path);
    if (inFlight === undefined) this.inFlight.set(path, (inFlight = this.drain(path)));
    return inFlight;
  }

  /** Resolves when the writes scheduled so far for `path` have landed (or stopped). */
  async settled(path: string): Promise<void> {
    await this.inFlight.get(path);
  }

  /** Resolves when every scheduled write is on disk; rejects with the first write error. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }

  private async slot(): Promise<void> {
    if (this.writing < this.maxConcurrentWrites) {
      this.writing += 1;
      return;
    }
    // The releasing write hands its slot over.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.writing -= 1;
  }

  private async drain(path: string): Promise<unknown> {
    // Let the current burst of changes settle before writing.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      for (let next = this.pending.get(path); next !== undefined; next = this.pending.get(path)) {
        await this.slot();
        try {
          // Taken only now: the snapshot is the latest state, made when it is written.
          next = this.pending.get(path) ?? next;
          this.pending.delete(path);
          await writeJsonFileAtomic(path, next());
        } finally {
          this.release();
        }
      }
      return undefined;
    } catch (error) {
      this.failure ??= error;
      return error;
    } finally {
      this.inFlight.delete(path);
    }
  }
}
