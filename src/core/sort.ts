// Sorting the short lists the planner sorts once per name. Pure.
//
// Array.prototype.sort allocates its work space on every call, several hundred bytes even
// for three elements; the planner sorts a few elements per name, for 100,000 names a run
// (docs/benchmarks.md). An insertion sort allocates nothing and, for a handful of elements,
// makes no more comparisons.

/** Up to this length, sortInPlace sorts by insertion. */
const SHORT = 12;

/**
 * Sorts `list` in place exactly as `list.sort(compare)` does (stable, by a consistent
 * `compare`), without allocating when the list is short; returns `list`.
 */
export function sortInPlace<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  if (list.length > SHORT) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const item = list[i] as T;
    let j = i - 1;
    // Strictly greater: an equal element stays before `item`, as in a stable sort.
    while (j >= 0 && compare(list[j] as T, item) > 0) {
      list[j + 1] = list[j] as T;
      j--;
    }
    list[j + 1] = item;
  }
  return list;
}
