// Fault injection for the JSON-protocol services on the shared endpoint (DynamoDB, Step
// Functions, EventBridge, CloudWatch's JSON 1.0): a share of requests is refused with the
// throttling error those services send, before the service sees it, so a refused request
// changes nothing. Route 53 has its own (route53/faults.ts: Throttling,
// PriorRequestNotComplete, the 5 requests/second limit). For tests of how Switchyard rides
// out a throttled AWS.
import { protocolError } from './endpoint.ts';
import type { LocalRequest, LocalResponse, LocalService } from './http.ts';
import { mulberry32 } from './route53/faults.ts';

export interface ServiceFaults {
  /** Share of requests (0 to 1) refused with ThrottlingException. */
  failureRate?: number;
  /** Seed of the random share, for repeatable runs. */
  seed?: number;
}

export interface FaultyService extends LocalService {
  setFaults(faults: ServiceFaults): void;
  /** Requests refused so far. */
  readonly refused: number;
}

/** The service, with a share of its JSON-protocol requests refused as throttled. */
export function withFaults(service: LocalService, initial: ServiceFaults = {}): FaultyService {
  let rate = 0;
  let random: () => number = Math.random;
  let refused = 0;
  const set = (faults: ServiceFaults) => {
    const next = faults.failureRate ?? 0;
    if (!(next >= 0 && next <= 1)) throw new RangeError(`failureRate must be between 0 and 1, not ${next}`);
    rate = next;
    random = faults.seed === undefined ? Math.random : mulberry32(faults.seed);
  };
  set(initial);
  return {
    name: service.name,
    matches: (req) => service.matches(req),
    async handle(req: LocalRequest): Promise<LocalResponse> {
      if (rate > 0 && req.headers['x-amz-target'] !== undefined && random() < rate) {
        refused++;
        return protocolError(req, 400, 'ThrottlingException', 'Rate exceeded');
      }
      return service.handle(req);
    },
    close: () => service.close?.() ?? Promise.resolve(),
    setFaults: set,
    get refused() {
      return refused;
    },
  };
}
