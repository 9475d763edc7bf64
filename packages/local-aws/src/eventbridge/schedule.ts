// Schedule expressions of scheduled rules. `rate(...)` rules fire locally; `cron(...)`
// rules are checked for shape and stored, but do not fire (no cron evaluator yet).

export type Schedule = { kind: 'rate'; milliseconds: number } | { kind: 'cron'; expression: string };

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The schedule, or undefined when EventBridge would refuse the expression. */
export function parseSchedule(expression: string): Schedule | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    // EventBridge wants the singular unit for 1 and the plural otherwise.
    const singular = !unit.endsWith('s');
    if (value <= 0 || (value === 1) !== singular) return undefined;
    return { kind: 'rate', milliseconds: value * UNITS[singular ? unit : unit.slice(0, -1)]! };
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (cron && cron[1]!.trim().split(/\s+/).length === 6) return { kind: 'cron', expression: cron[1]!.trim() };
  return undefined;
}
