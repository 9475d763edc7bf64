// The agent's logs: one JSON object a line (time, level, msg, and fields). Nothing that
// could be a credential is ever written: values are passed through redact(), which
// removes bearer tokens, the secrets it is told about (the service account token, AWS
// keys from the environment) and anything that looks like a JWT.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface AgentLogger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  /** Adds a secret to remove from every later line (e.g. a rotated token). */
  secret(value: string): void;
}

const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
/** Three base64url parts starting with a JSON header: a JWT. */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
/** AWS access key ids (long-term AKIA, temporary ASIA). */
const ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

export function redact(text: string, secrets: Iterable<string>): string {
  let out = text.replace(BEARER, '$1[redacted]').replace(JWT, '[redacted]').replace(ACCESS_KEY_ID, '[redacted]');
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out;
}

/** The secrets of the environment that must never appear in a log line. */
export function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  return ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_CONTAINER_AUTHORIZATION_TOKEN']
    .map((k) => env[k] ?? '')
    .filter((v) => v !== '');
}

export function jsonLogger(write: (line: string) => void, options: { secrets?: readonly string[]; level?: LogLevel; now?: () => Date } = {}): AgentLogger {
  const secrets = new Set(options.secrets ?? []);
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(options.level ?? 'info');
  return {
    secret(value) {
      if (value !== '') secrets.add(value);
    },
    log(level, msg, fields = {}) {
      if (order.indexOf(level) < min) return;
      const line = JSON.stringify({ time: (options.now?.() ?? new Date()).toISOString(), level, msg, ...fields }, (_key, value: unknown) =>
        value instanceof Error ? { name: value.name, message: value.message } : value,
      );
      write(redact(line, secrets));
    },
  };
}
