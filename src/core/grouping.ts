// Grouping by name without hashing every name. Pure.
//
// At 100,000 names, one lookup in a Map of names costs a few hundred nanoseconds (the
// table and the key strings are far apart in memory), more than everything else the
// planner does with the name (docs/benchmarks.md). The inputs mostly arrive in name
// order: Route 53 lists a zone in name order, and the desired state is built app by app
// in hostname order. While keys arrive in increasing order, a new key is known to be new
// by comparing it with the largest so far; a Map is built only when a key arrives out of
// order, and from then on it answers.

/** Groups in order of first appearance, found by key. */
export class OrderedGroups<G> {
  /** The groups, in the order they were added. */
  readonly groups: G[] = [];
  /** The key of each group, at the same index. */
  readonly keys: string[] = [];
  #index: Map<string, G> | undefined;
  #sorted = true;
  #recent: G | undefined;
  #recentKey: string | undefined;

  /** True while every key was added after a smaller one: `groups` are then in key order. */
  get sorted(): boolean {
    return this.#sorted;
  }

  /** The group of `key`, if one was added. */
  find(key: string): G | undefined {
    if (key === this.#recentKey) return this.#recent;
    const largest = this.keys.at(-1);
    // In order so far: a key past the largest is new.
    if (this.#index === undefined && (largest === undefined || key > largest)) return undefined;
    const found = this.index().get(key);
    if (found !== undefined) {
      this.#recent = found;
      this.#recentKey = key;
    }
    return found;
  }

  /** Adds the group of a `key` that `find` did not find; returns it. */
  add(key: string, group: G): G {
    const largest = this.keys.at(-1);
    if (largest !== undefined && !(key > largest)) this.#sorted = false;
    if (this.#index !== undefined) this.#index.set(key, group);
    else if (!this.#sorted) this.index().set(key, group);
    this.groups.push(group);
    this.keys.push(key);
    this.#recent = group;
    this.#recentKey = key;
    return group;
  }

  /** Every group by key (built once, the first time a key arrives out of order or a caller asks). */
  index(): Map<string, G> {
    if (this.#index === undefined) {
      this.#index = new Map();
      for (let i = 0; i < this.keys.length; i++) this.#index.set(this.keys[i] as string, this.groups[i] as G);
    }
    return this.#index;
  }
}

/**
 * A lookup into `groups` for keys asked in any order: a merge (a cursor moving forward)
 * while the groups are sorted and the keys come in increasing order, the groups' Map
 * from the first key that does not.
 */
export function lookupInOrder<G>(groups: OrderedGroups<G>): (key: string) => G | undefined {
  let cursor = 0;
  let previous: string | undefined;
  let index = groups.sorted ? undefined : groups.index();
  const { keys } = groups;
  return (key) => {
    if (index === undefined && previous !== undefined && !(key > previous)) index = groups.index();
    if (index !== undefined) return index.get(key);
    previous = key;
    while (cursor < keys.length && (keys[cursor] as string) < key) cursor++;
    return cursor < keys.length && keys[cursor] === key ? groups.groups[cursor] : undefined;
  };
}
