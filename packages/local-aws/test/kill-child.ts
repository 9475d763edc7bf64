// For the kill -9 tests: runs a writer child process that prints "ack <n>" after each
// answered change, and kills it with SIGKILL once `acks` changes are answered plus `extraMs`.
import { spawn } from 'node:child_process';

/** Resolves with the last ack seen and every other line the child printed. */
export function runAndKill(args: readonly string[], acks: number, extraMs: number): Promise<{ lastAck: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastAck = 0;
    const other: string[] = [];
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ack ')) lastAck = Number(line.slice(4));
        else other.push(line);
      }
      if (lastAck >= acks && !killing) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ lastAck, lines: other });
      else reject(new Error(`the writer exited by itself (${code}): ${stderr}`));
    });
  });
}
