// Calls a JSON-protocol local service as the endpoint does (its handle()), without HTTP: the
// answer arrives as soon as the service gives it, so a test can check what was on disk then.
import type { LocalService } from '../src/http.ts';

export async function callJson(service: LocalService, target: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await service.handle({
    method: 'POST',
    url: new URL('http://localhost/'),
    headers: { host: 'localhost', 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
  });
  const text = String(response.body ?? '');
  if (response.status !== 200) throw new Error(`${target}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}
