// Local CloudWatch metric alarms: what the deploy creates on AWS — one alarm per cluster
// on the Route 53 HealthCheckStatus metric of the cluster's canary health check — kept
// in memory and in `<stateDir>/cloudwatch/alarms.json` (a snapshot) plus its change log
// `alarms.json.log` (../journal.ts): a change appends the one alarm it touched, and
// `flush()` resolves once it is on disk. Every change of an alarm's state
// value is published as the "CloudWatch Alarm State Change" event CloudWatch sends to
// EventBridge (source `aws.cloudwatch`, same detail shape), so the rest of the system
// cannot tell the local alarm from the real one.
import { join } from 'node:path';
import { InvalidInput } from '../errors.ts';
import { Journal } from '../journal.ts';

export const ALARM_STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmStateValue = (typeof ALARM_STATE_VALUES)[number];

export interface AlarmMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  /** Seconds. */
  period: number;
  stat: string;
  threshold: number;
  comparisonOperator: string;
  evaluationPeriods: number;
}

export interface AlarmDefinition {
  name: string;
  description: string;
  metric: AlarmMetric;
}

export interface LocalAlarm extends AlarmDefinition {
  arn: string;
  state: AlarmStateValue;
  reason: string;
  reasonData?: string;
  /** ISO 8601: last state update (value or reason). */
  stateUpdatedAt: string;
  /** ISO 8601: last change of the state value. */
  transitionedAt: string;
  configUpdatedAt: string;
}

/** The parts of an EventBridge event CloudWatch sends for an alarm's state change. */
export interface AlarmEvent {
  source: 'aws.cloudwatch';
  detailType: 'CloudWatch Alarm State Change';
  resources: string[];
  time: Date;
  detail: AlarmStateChangeDetail;
}

export interface AlarmStateChangeDetail {
  alarmName: string;
  state: { value: AlarmStateValue; reason: string; reasonData?: string; timestamp: string };
  previousState: { value: AlarmStateValue; reason: string; reasonData?: string; timestamp: string };
  configuration: {
    description: string;
    metrics: Array<{
      id: string;
      metricStat: { metric: { namespace: string; name: string; dimensions: Record<string, string> }; period: number; stat: string };
      returnData: boolean;
    }>;
  };
}

/** CloudWatch writes state timestamps as 2019-10-02T17:04:40.985+0000. */
export function cloudWatchTimestamp(at: Date): string {
  return at.toISOString().replace('Z', '+0000');
}

/** The snapshot: every alarm (earlier versions wrote the bare list, which still loads). */
interface AlarmsSnapshot {
  version: 1;
  alarms: LocalAlarm[];
}

/** One log entry: the whole alarm after its change (an alarm is a few hundred bytes). */
type AlarmEntry = { op: 'put'; alarm: LocalAlarm };

export interface LocalAlarmsOptions {
  region?: string;
  accountId?: string;
  stateDir?: string;
  /** Called for every state value change, in order. */
  onStateChange?: (event: AlarmEvent) => void;
  clock?: () => Date;
  /** Compact the change log once it holds this many bytes (default 4 MiB; tests). */
  compactAfterBytes?: number;
}

export class LocalAlarms {
  readonly #alarms = new Map<string, LocalAlarm>();
  readonly #options: LocalAlarmsOptions;
  readonly #journal: Journal<AlarmsSnapshot, AlarmEntry> | undefined;
  readonly #place: { region: string; accountId: string };

  private constructor(options: LocalAlarmsOptions) {
    this.#options = options;
    this.#place = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
    if (options.stateDir === undefined) return;
    const { journal, recovered } = Journal.open<AlarmsSnapshot, AlarmEntry>(join(options.stateDir, 'cloudwatch', 'alarms.json'), readAlarmsSnapshot, {
      label: 'CloudWatch alarms file',
      ...(options.compactAfterBytes === undefined ? {} : { compactAfterBytes: options.compactAfterBytes }),
    });
    this.#journal = journal;
    for (const alarm of recovered.snapshot?.alarms ?? []) this.#alarms.set(alarm.name, alarm);
    for (const entry of recovered.entries) if (entry.op === 'put') this.#alarms.set(entry.alarm.name, entry.alarm);
  }

  /** Opens the alarms, with the states an earlier run left in stateDir. */
  static async open(options: LocalAlarmsOptions = {}): Promise<LocalAlarms> {
    return new LocalAlarms(options);
  }

  #now(): Date {
    return this.#options.clock?.() ?? new Date();
  }

  #snapshot(): AlarmsSnapshot {
    return { version: 1, alarms: [...this.#alarms.values()] };
  }

  #save(alarm: LocalAlarm): void {
    // A failed write is reported by flush(), which every API answer waits for.
    this.#journal?.append({ op: 'put', alarm: { ...alarm } }, () => this.#snapshot()).catch(() => undefined);
  }

  arnOf(name: string): string {
    return `arn:aws:cloudwatch:${this.#place.region}:${this.#place.accountId}:alarm:${name}`;
  }

  /** Creates the alarm (INSUFFICIENT_DATA, as CloudWatch does) or updates its configuration, keeping its state. */
  define(definition: AlarmDefinition): LocalAlarm {
    const now = this.#now().toISOString();
    const existing = this.#alarms.get(definition.name);
    if (existing !== undefined) {
      if (JSON.stringify({ d: existing.description, m: existing.metric }) !== JSON.stringify({ d: definition.description, m: definition.metric })) {
        Object.assign(existing, { description: definition.description, metric: definition.metric, configUpdatedAt: now });
        this.#save(existing);
      }
      return existing;
    }
    const alarm: LocalAlarm = {
      ...definition,
      arn: this.arnOf(definition.name),
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      stateUpdatedAt: now,
      transitionedAt: now,
      configUpdatedAt: now,
    };
    this.#alarms.set(alarm.name, alarm);
    this.#save(alarm);
    return alarm;
  }

  get(name: string): LocalAlarm | undefined {
    return this.#alarms.get(name);
  }

  /** Alarms in name order, filtered like DescribeAlarms. */
  list(filter: { names?: readonly string[]; prefix?: string; state?: AlarmStateValue } = {}): LocalAlarm[] {
    return [...this.#alarms.values()]
      .filter((a) => filter.names === undefined || filter.names.length === 0 || filter.names.includes(a.name))
      .filter((a) => filter.prefix === undefined || a.name.startsWith(filter.prefix))
      .filter((a) => filter.state === undefined || a.state === filter.state)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Sets the alarm's state. A change of the value publishes the state-change event;
   * the same value again only updates the reason (CloudWatch sends no event then).
   * Returns false for an unknown alarm.
   */
  setState(name: string, value: AlarmStateValue, reason: string, reasonData?: string): boolean {
    const alarm = this.#alarms.get(name);
    if (alarm === undefined) return false;
    const at = this.#now();
    const previous = {
      value: alarm.state,
      reason: alarm.reason,
      ...(alarm.reasonData === undefined ? {} : { reasonData: alarm.reasonData }),
      timestamp: cloudWatchTimestamp(new Date(alarm.stateUpdatedAt)),
    };
    const changed = alarm.state !== value;
    alarm.state = value;
    alarm.reason = reason;
    if (reasonData === undefined) delete alarm.reasonData;
    else alarm.reasonData = reasonData;
    alarm.stateUpdatedAt = at.toISOString();
    if (changed) alarm.transitionedAt = alarm.stateUpdatedAt;
    this.#save(alarm);
    if (changed) {
      this.#options.onStateChange?.({
        source: 'aws.cloudwatch',
        detailType: 'CloudWatch Alarm State Change',
        resources: [alarm.arn],
        time: at,
        detail: {
          alarmName: alarm.name,
          state: { value, reason, ...(reasonData === undefined ? {} : { reasonData }), timestamp: cloudWatchTimestamp(at) },
          previousState: previous,
          configuration: {
            description: alarm.description,
            metrics: [
              {
                id: `m-${alarm.name}`.slice(0, 255),
                metricStat: {
                  metric: { namespace: alarm.metric.namespace, name: alarm.metric.name, dimensions: alarm.metric.dimensions },
                  period: alarm.metric.period,
                  stat: alarm.metric.stat,
                },
                returnData: true,
              },
            ],
          },
        },
      });
    }
    return true;
  }

  /** Resolves when every change so far is on disk; rejects when a write failed. */
  async flush(): Promise<void> {
    await this.#journal?.flush();
  }

  /** Waits for the writes and leaves the state as one snapshot file. */
  async close(): Promise<void> {
    await this.#journal?.close(this.#snapshot());
  }
}

function readAlarmsSnapshot(value: unknown, path: string): AlarmsSnapshot {
  const alarms = Array.isArray(value) ? value : (value as Partial<AlarmsSnapshot> | null)?.alarms;
  if (!Array.isArray(alarms) || alarms.some((alarm) => typeof (alarm as Partial<LocalAlarm> | null)?.name !== 'string')) {
    throw new InvalidInput(`CloudWatch alarms file ${path} is not a list of alarms; restore it from a backup or start again with --reset`, { path });
  }
  return { version: 1, alarms: alarms as LocalAlarm[] };
}
