// The port the local runtime's endpoint listens on unless --port says otherwise.
import { DEFAULT_PORT } from '@switchyard/local-aws';

export { DEFAULT_PORT };

/** SWITCHYARD_PORT, else the emulator's default (4566). */
export function defaultPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['SWITCHYARD_PORT'];
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SWITCHYARD_PORT: must be a port number (0-65535), got "${raw}"`);
  return port;
}
