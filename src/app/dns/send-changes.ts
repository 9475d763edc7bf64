// Sends planned ChangeResourceRecordSets requests in order and waits for INSYNC.
// A request Route 53 rejects (InvalidChangeBatch) is retried one change group at a
// time, so one bad name cannot block the others, and each failure keeps Route 53's
// own message. Anything else (throttling past the retries, no access) stops the run:
// the groups not sent are reported as such.
import { Route53Rejected, errorMessage } from '../../core/errors.ts';
import type { ChangeGroup, ChangeRequest } from '../../core/model.ts';
import { systemPacer, type Pacer } from '../../core/ports.ts';
import type { Route53Port } from '../../core/ports.ts';

export type GroupStatus = 'applied' | 'failed' | 'not-sent' | 'dry-run';

export interface GroupResult {
  zoneId: string;
  group: ChangeGroup;
  status: GroupStatus;
  /** Route 53's change id when the group was accepted. */
  changeId?: string;
  /** Route 53's own messages when it was rejected, or why it was not sent. */
  messages?: string[];
}

export interface SendResult {
  groups: GroupResult[];
  /** Accepted change ids still to wait for (not INSYNC on submit). */
  pendingChangeIds: string[];
  /** ChangeResourceRecordSets requests sent (incl. the one-group retries). */
  requestsSent: number;
}

export interface SendProgress {
  /** 1-based index of the planned request, and how many were planned. */
  request: number;
  of: number;
  zoneId: string;
  groups: number;
  outcome: 'applied' | 'rejected-splitting' | 'dry-run' | 'failed' | 'not-sent';
}

export interface SendOptions {
  comment?: string;
  onRequest?: (progress: SendProgress) => void;
  onGroup?: (result: GroupResult) => void;
}

export async function sendChangeRequests(port: Route53Port, requests: readonly ChangeRequest[], options: SendOptions = {}): Promise<SendResult> {
  const results: GroupResult[] = [];
  const pending: string[] = [];
  let sent = 0;
  let stopped: string | undefined;
  const report = (result: GroupResult) => {
    results.push(result);
    options.onGroup?.(result);
  };
  const accept = (zoneId: string, groups: readonly ChangeGroup[], submitted: Awaited<ReturnType<Route53Port['changeRecordSets']>>) => {
    if (submitted.dryRun) {
      for (const group of groups) report({ zoneId, group, status: 'dry-run' });
      return;
    }
    if (submitted.status !== 'INSYNC') pending.push(submitted.changeId);
    for (const group of groups) report({ zoneId, group, status: 'applied', changeId: submitted.changeId });
  };

  for (const [index, request] of requests.entries()) {
    const progress = { request: index + 1, of: requests.length, zoneId: request.zoneId, groups: request.groups.length };
    if (stopped !== undefined) {
      for (const group of request.groups) report({ zoneId: request.zoneId, group, status: 'not-sent', messages: [stopped] });
      options.onRequest?.({ ...progress, outcome: 'not-sent' });
      continue;
    }
    try {
      sent++;
      const submitted = await port.changeRecordSets(
        request.zoneId,
        request.groups.flatMap((g) => g.changes),
        options.comment,
      );
      accept(request.zoneId, request.groups, submitted);
      options.onRequest?.({ ...progress, outcome: submitted.dryRun ? 'dry-run' : 'applied' });
      continue;
    } catch (error) {
      if (!(error instanceof Route53Rejected)) {
        stopped = `not sent: an earlier request failed (${error instanceof Error ? error.name : 'Error'}: ${errorMessage(error)})`;
        for (const group of request.groups)
          report({ zoneId: request.zoneId, group, status: 'failed', messages: [`${error instanceof Error ? error.name : 'Error'}: ${errorMessage(error)}`] });
        options.onRequest?.({ ...progress, outcome: 'failed' });
        continue;
      }
      if (request.groups.length === 1) {
        report({ zoneId: request.zoneId, group: request.groups[0]!, status: 'failed', messages: rejectionMessages(error) });
        options.onRequest?.({ ...progress, outcome: 'failed' });
        continue;
      }
      options.onRequest?.({ ...progress, outcome: 'rejected-splitting' });
    }
    // Rejected as a whole: one group at a time, so only the bad names fail.
    for (const group of request.groups) {
      if (stopped !== undefined) {
        report({ zoneId: request.zoneId, group, status: 'not-sent', messages: [stopped] });
        continue;
      }
      try {
        sent++;
        accept(request.zoneId, [group], await port.changeRecordSets(request.zoneId, group.changes, options.comment));
      } catch (error) {
        if (error instanceof Route53Rejected) {
          report({ zoneId: request.zoneId, group, status: 'failed', messages: rejectionMessages(error) });
        } else {
          stopped = `not sent: an earlier request failed (${error instanceof Error ? error.name : 'Error'}: ${errorMessage(error)})`;
          report({ zoneId: request.zoneId, group, status: 'failed', messages: [`${error instanceof Error ? error.name : 'Error'}: ${errorMessage(error)}`] });
        }
      }
    }
  }
  return { groups: results, pendingChangeIds: pending, requestsSent: sent };
}

function rejectionMessages(error: Route53Rejected): string[] {
  const messages = error.context.messages;
  return Array.isArray(messages) && messages.length > 0 ? messages.map(String) : [error.message];
}

/** GetChange no more often than this (Route 53 guidance; also spares the rate limit). */
export const MIN_INSYNC_POLL_MS = 2000;
export const DEFAULT_INSYNC_TIMEOUT_MS = 300_000;

export interface WaitOptions {
  clock?: Pacer;
  /** Give up waiting after this long; the changes still apply, they are reported pending. */
  timeoutMs?: number;
  /** Raised to MIN_INSYNC_POLL_MS when lower. */
  pollIntervalMs?: number;
  onPoll?: (info: { pending: number; elapsedMs: number }) => void;
}

export interface WaitResult {
  insync: string[];
  /** Still PENDING when the wait ended. */
  pending: string[];
  waitedMs: number;
}

/** Polls GetChange until every change is INSYNC or the time is up. */
export async function waitForInsync(port: Route53Port, changeIds: readonly string[], options: WaitOptions = {}): Promise<WaitResult> {
  const clock = options.clock ?? systemPacer;
  const timeoutMs = options.timeoutMs ?? DEFAULT_INSYNC_TIMEOUT_MS;
  const interval = Math.max(MIN_INSYNC_POLL_MS, options.pollIntervalMs ?? MIN_INSYNC_POLL_MS);
  const started = clock.now();
  let pending = [...new Set(changeIds)];
  const insync: string[] = [];
  while (pending.length > 0 && clock.now() - started + interval <= timeoutMs) {
    await clock.sleep(interval);
    const still: string[] = [];
    for (const id of pending) {
      if ((await port.getChangeStatus(id)) === 'INSYNC') insync.push(id);
      else still.push(id);
    }
    pending = still;
    options.onPoll?.({ pending: pending.length, elapsedMs: clock.now() - started });
  }
  return { insync, pending, waitedMs: clock.now() - started };
}
