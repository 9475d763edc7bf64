// The shape every local AWS service implements, so one loopback endpoint can
// mount them all (and each can also be served alone).
import type { IncomingHttpHeaders } from 'node:http';

export interface LocalRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface LocalResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * A body sent as it comes (server-sent events) instead of `body`: called once the head is
   * sent, with a writer; returns what to call when the client goes away or the endpoint closes.
   */
  stream?: (write: (chunk: string) => void) => () => void;
}

export interface LocalService {
  /** Service name for logs, e.g. "route53". */
  name: string;
  /** True when this service should answer the request (path, X-Amz-Target, ...). */
  matches(req: LocalRequest): boolean;
  handle(req: LocalRequest): Promise<LocalResponse>;
  /** The largest request body it takes, in bytes; a larger one is refused (413) before it is read whole. */
  maxBodyBytes?: number;
  /**
   * Words an error the endpoint answers for this service without handling the request (a
   * refused caller), in the service's own error format. Default: JSON for X-Amz-Target
   * calls, an XML ErrorResponse otherwise.
   */
  refuse?(req: LocalRequest, status: number, code: string, message: string): LocalResponse;
  /** Stops timers and flushes state. */
  close?(): Promise<void>;
}
