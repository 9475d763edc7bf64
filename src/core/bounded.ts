// Lists that grow with the fleet, cut to a size that does not: what goes into a workflow's
// state, an event, a journal entry or an error message. On AWS a state's input or output,
// and so every event a workflow puts and every error a Catch hands on, is at most 256 KiB
// (Step Functions' payload quota, docs/workflows.md "Payload limits"); a DynamoDB item is at
// most 400 KB. Pure.

/** At most this many entries of a per-app list are listed in an event, a task result or a journal entry; the rest are counted. */
export const MAX_LISTED = 100;

/** At most this many lines of a per-app list go into an error message. */
export const MAX_LINES_IN_MESSAGE = 10;

/** The first `max` items, and how many more there were (0: the list is whole). */
export function firstOf<T>(items: readonly T[], max = MAX_LISTED): { listed: T[]; notListed: number } {
  return items.length > max ? { listed: items.slice(0, max), notListed: items.length - max } : { listed: [...items], notListed: 0 };
}

/** "a; b; c; and 7 more": the first `max` lines joined, and a count of the rest. */
export function someOf(lines: readonly string[], max = MAX_LINES_IN_MESSAGE, separator = '; '): string {
  const { listed, notListed } = firstOf(lines, max);
  return listed.join(separator) + (notListed > 0 ? `${separator}and ${notListed} more` : '');
}

/**
 * The record with each named list cut to its first `max` entries, and `<list>NotListed`
 * counting the rest (added to a count the record already has; absent when nothing was cut).
 */
export function cutLists<T extends object>(record: T, lists: readonly string[], max = MAX_LISTED): T {
  const cut = { ...record } as Record<string, unknown>;
  for (const list of lists) {
    const items = cut[list];
    if (!Array.isArray(items)) continue;
    const { listed, notListed } = firstOf(items, max);
    cut[list] = listed;
    const count = `${list}NotListed`;
    const already = typeof cut[count] === 'number' ? (cut[count] as number) : 0;
    if (notListed + already > 0) cut[count] = notListed + already;
  }
  return cut as T;
}
