// In-cluster configuration, as a Pod sees its API server: KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT, and the service account's folder (token, ca.crt, namespace),
// by default /var/run/secrets/kubernetes.io/serviceaccount. The projected token rotates
// (the kubelet rewrites the file well before it expires), so it is re-read whenever the
// file changes, checked at most once a second, and at once after a 401 (invalidate()).
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInput, errorMessage } from '../core/errors.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterConfig {
  /** https://host:port of the API server. */
  server: string;
  /** PEM of the cluster CA (ca.crt). */
  caData: string;
  /** The current token (re-read as it rotates). */
  token: () => Promise<string>;
  /** Forget the cached token: the next call reads the file again (after a 401). */
  invalidate(): void;
  /** The Pod's namespace, when the folder has one. */
  namespace?: string;
  /** The folder the token and CA are read from. */
  dir: string;
}

/** The API server's URL from the in-cluster variables; InvalidInput naming the variable otherwise. */
export function inClusterServer(env: NodeJS.ProcessEnv): string {
  const host = env.KUBERNETES_SERVICE_HOST?.trim();
  const port = env.KUBERNETES_SERVICE_PORT?.trim();
  if (!host)
    throw new InvalidInput('KUBERNETES_SERVICE_HOST is not set: not running in a Kubernetes Pod (or the variable was removed)', {
      variable: 'KUBERNETES_SERVICE_HOST',
    });
  if (!port)
    throw new InvalidInput('KUBERNETES_SERVICE_PORT is not set: not running in a Kubernetes Pod (or the variable was removed)', {
      variable: 'KUBERNETES_SERVICE_PORT',
    });
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new InvalidInput(`KUBERNETES_SERVICE_PORT "${port}": expected a port number (1-65535)`, { variable: 'KUBERNETES_SERVICE_PORT' });
  }
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const url = URL.parse(`https://${bracketed}:${port}`);
  if (url === null || url.pathname !== '/' || url.search !== '')
    throw new InvalidInput(`KUBERNETES_SERVICE_HOST "${host}": not a host name or address`, { variable: 'KUBERNETES_SERVICE_HOST' });
  return url.origin;
}

/** Reads the in-cluster configuration; throws InvalidInput naming what is missing. */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir: string = SERVICE_ACCOUNT_DIR, now: () => number = Date.now): InClusterConfig {
  const server = inClusterServer(env);
  const tokenFile = join(dir, 'token');
  const caData = readRequired(join(dir, 'ca.crt'), 'the cluster CA');
  let namespace: string | undefined;
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    namespace = undefined;
  }
  // The token must be there at start: an agent without one cannot do anything.
  let cached = { token: readToken(readRequired(tokenFile, 'the service account token'), tokenFile), stamp: '', checkedAt: now() };
  cached.stamp = stampOfSync(tokenFile);

  return {
    server,
    caData,
    dir,
    ...(namespace === undefined ? {} : { namespace }),
    invalidate() {
      cached = { ...cached, stamp: '', checkedAt: -Infinity };
    },
    async token() {
      if (now() - cached.checkedAt < 1000) return cached.token;
      let stamp: string;
      try {
        const info = await stat(tokenFile);
        stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
      } catch (error) {
        throw new Error(`service account token ${tokenFile}: cannot read it: ${errorMessage(error)}`, { cause: error });
      }
      if (stamp !== cached.stamp) {
        const text = await readFile(tokenFile, 'utf8').catch((error: unknown) => {
          throw new Error(`service account token ${tokenFile}: cannot read it: ${errorMessage(error)}`, { cause: error });
        });
        cached = { token: readToken(text, tokenFile), stamp, checkedAt: now() };
      } else {
        cached = { ...cached, checkedAt: now() };
      }
      return cached.token;
    },
  };
}

function readRequired(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInput(`${what} ${path}: cannot read it (${errorMessage(error)}); is a service account mounted?`, { path });
  }
}

function readToken(text: string, path: string): string {
  const token = text.trim();
  // The token's value is never put in a message.
  if (token === '' || /\s/.test(token)) throw new InvalidInput(`service account token ${path}: empty or not one token`, { path });
  return token;
}

function stampOfSync(path: string): string {
  try {
    const info = statSync(path);
    return `${info.mtimeMs}:${info.size}:${info.ino}`;
  } catch {
    return '';
  }
}
