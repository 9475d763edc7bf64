// Local CloudWatch metric alarms: what the deploy creates on AWS — one alarm per cluster
// on the Route 53 HealthCheckStatus metric of the cluster's canary health check — kept
// in memory and in `<stateDir>/cloudwatch/alarms.json`. Every change of an alarm's state
// value is published as the "CloudWatch Alarm State Change" event CloudWatch sends to
// EventBridge (source `aws.cloudwatch`, same detail shape), so the rest of the system
// cannot tell the local alarm from the real one.
import { join } from 'node:path';
import { JsonFileWriter, readJsonFile } from '../json-file.ts';

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

export interface LocalAlarmsOptions {
  region?: string;
  accountId?: string;
  stateDir?: string;
  /** Called for every state value change, in order. */
  onStateChange?: (event: AlarmEvent) => void;
  clock?: () => Date;
}

export class LocalAlarms {
  readonly #alarms = new Map<string, LocalAlarm>();
  readonly #options: LocalAlarmsOptions;
  readonly #writer = new JsonFileWriter();
  readonly #place: { region: string; accountId: string };

  private constructor(options: LocalAlarmsOptions) {
    this.#options = options;
    this.#place = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  }

  /** Opens the alarms, with the states an earlier run left in stateDir. */
  static async open(options: LocalAlarmsOptions = {}): Promise<LocalAlarms> {
    const alarms = new LocalAlarms(options);
    const file = alarms.#file;
    const stored = file === undefined ? undefined : await readJsonFile<LocalAlarm[]>(file);
    for (const alarm of stored ?? []) alarms.#alarms.set(alarm.name, alarm);
    return alarms;
  }

  get #file(): string | undefined {
    return this.#options.stateDir === undefined ? undefined : join(this.#options.stateDir, 'cloudwatch', 'alarms.json');
  }

  #now(): Date {
    return this.#options.clock?.() ?? new Date();
  }

  #save(): void {
    const file = this.#file;
    if (file !== undefined) this.#writer.schedule(file, () => [...this.#alarms.values()]);
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
        this.#save();
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
    this.#save();
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
    this.#save();
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

  async flush(): Promise<void> {
    await this.#writer.flush();
  }
}
