import { test } from "node:test";
import assert from "node:assert/strict";
import {
  comparators,
  compareValues,
  conditionRange,
  createMemoryIndexSource,
  isConditionGroup,
  matchesValue,
  matchesWhere,
  runQuery,
} from "../src/storage/query/index.js";
import type {
  Comparator,
  Condition,
  ConditionGroup,
  MemoryIndexSource,
  Query,
  SortLevel,
  WhereNode,
} from "../src/storage/query/index.js";
import type { Id, StorageRecord } from "../src/storage/types.js";
import { mulberry32 } from "./random.js";
import type { Rng } from "./random.js";

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;

const scalars: readonly unknown[] = [
  null, true, false, 0, 1, 2, 5, 7, 10, 25, 28, 30, -1, -3.5, 2.5, 100.5, 1e3,
  "5", "10", "25", "-1", "2.5", "", "a", "b", "B", "ab", "abc", "Ab", "apple", "Apple", "APPLE",
  "banana", "Banana", "zed", "Zed", "10a", "é", "éa", "ü", "😀", "\uE000x", "a😀",
];
const texts: readonly unknown[] = ["a", "A", "ap", "an", "e", "0", "1", "5", "", "é", "😀", "x", 0, 1, 5, true];
const attributes = ["id", "a", "b", "c", "d"] as const;
const indexed = ["a", "b", "d"];

function randomValue(rng: Rng, arrays: number): unknown {
  const roll = rng();
  if (roll < arrays) {
    const length = Math.floor(rng() * 4);
    return Array.from({ length }, () => (chance(rng, 0.05) ? [pick(rng, scalars), pick(rng, scalars)] : pick(rng, scalars)));
  }
  if (roll < arrays + 0.04) return { nested: pick(rng, scalars) };
  return pick(rng, scalars);
}

function randomRecords(rng: Rng, count: number): StorageRecord[] {
  const ids = new Set<Id>();
  while (ids.size < count) {
    const n = Math.floor(rng() * count * 2);
    ids.add(chance(rng, 0.25) ? (chance(rng, 0.5) ? String(n) : `k${n}`) : n);
  }
  return Array.from(ids, (id) => {
    const record: StorageRecord = { id };
    for (const attribute of ["a", "b", "c", "d"]) {
      if (chance(rng, 0.12)) continue; // missing attribute
      record[attribute] = randomValue(rng, attribute === "d" ? 0.6 : 0.1);
    }
    return record;
  });
}

function randomCondition(rng: Rng, ids: readonly Id[]): Condition {
  const attribute = pick(rng, attributes);
  const comparator = pick(rng, comparators) as Comparator;
  const pool = attribute === "id" && chance(rng, 0.7) ? ids : scalars;
  let value: unknown;
  if (comparator === "between") {
    const low = pick(rng, pool);
    const high = pick(rng, pool);
    const ordered = compareValues(low, high) <= 0 ? [low, high] : [high, low];
    value = pick(rng, [ordered, ordered, ordered, [high, low], [low], low, []]);
  } else if (comparator === "starts_with" || comparator === "ends_with" || comparator === "contains") {
    value = pick(rng, texts);
  } else {
    value = chance(rng, 0.05) ? [pick(rng, pool), pick(rng, pool)] : pick(rng, pool);
  }
  return { attribute, comparator, value };
}

function randomGroup(rng: Rng, ids: readonly Id[], depth: number): ConditionGroup {
  const operator = chance(rng, 0.5) ? "and" : "or";
  const size = 1 + Math.floor(rng() * 3);
  const conditions: WhereNode[] = Array.from({ length: size }, () =>
    depth < 3 && chance(rng, 0.25) ? randomGroup(rng, ids, depth + 1) : randomCondition(rng, ids),
  );
  return { operator, conditions };
}

function randomQuery(rng: Rng, ids: readonly Id[]): Query {
  const query: Query = {};
  if (chance(rng, 0.85)) query.where = randomGroup(rng, ids, 0);
  if (chance(rng, 0.35)) {
    const levels = 1 + Math.floor(rng() * 3);
    query.sort = Array.from({ length: levels }, (): SortLevel => ({
      attribute: pick(rng, attributes),
      descending: chance(rng, 0.5),
    }));
  }
  if (chance(rng, 0.3)) query.offset = Math.floor(rng() * 10);
  if (chance(rng, 0.4)) query.limit = Math.floor(rng() * 15);
  if (chance(rng, 0.3)) query.reverse = true;
  return query;
}

// ---------------------------------------------------------------------------------------------
// The brute-force reference: every record is tested with matchesValue / matchesWhere; the only
// thing taken from the engine's side is the cost of a condition (conditionRange + indexCount),
// which decides which condition drives and therefore the order of an unsorted result.

class Reference {
  private readonly byKey: StorageRecord[];
  constructor(
    private readonly source: MemoryIndexSource,
    records: readonly StorageRecord[],
  ) {
    this.byKey = [...records].sort((x, y) => compareValues(x["id"], y["id"]));
  }

  run(query: Query): Id[] {
    let rows = this.order(query.where, query.reverse === true);
    if (query.sort !== undefined) {
      const levels = query.sort;
      rows = [...rows].sort((x, y) => {
        for (const level of levels) {
          const order = compareValues(x[level.attribute], y[level.attribute]);
          if (order !== 0) return level.descending ? -order : order;
        }
        return 0;
      });
    }
    const offset = query.offset ?? 0;
    return rows.slice(offset, offset + (query.limit ?? Infinity)).map((record) => record["id"] as Id);
  }

  private order(node: WhereNode | undefined, reverse: boolean): StorageRecord[] {
    if (node === undefined) return this.keyOrder(reverse);
    if (!isConditionGroup(node)) return this.and([node], reverse);
    if (node.operator === "and") return this.and(flatten(node.conditions), reverse);
    const seen = new Set<Id>();
    const rows: StorageRecord[] = [];
    for (const member of node.conditions) {
      for (const record of this.order(member, reverse)) {
        if (seen.has(record["id"] as Id)) continue;
        seen.add(record["id"] as Id);
        rows.push(record);
      }
    }
    return rows;
  }

  private and(nodes: WhereNode[], reverse: boolean): StorageRecord[] {
    let best: number | undefined;
    let bestCost = Infinity;
    for (let i = 0; i < nodes.length; i++) {
      const cost = this.cost(nodes[i] as WhereNode);
      if (cost < bestCost) [best, bestCost] = [i, cost];
      if (cost === 0) break;
    }
    const all = (record: StorageRecord) => nodes.every((node) => matchesWhere(node, record));
    if (best === undefined) return this.keyOrder(reverse).filter(all);
    const driver = nodes[best] as WhereNode;
    const driven = isConditionGroup(driver) ? this.order(driver, reverse) : this.drive(driver, reverse);
    return driven.filter(all);
  }

  /** What reading a node from indexes costs; Infinity when it needs a primary scan. */
  private cost(node: WhereNode): number {
    if (isConditionGroup(node)) {
      if (node.operator === "and") {
        const members = flatten(node.conditions);
        let cost = Infinity;
        for (const member of members) {
          cost = Math.min(cost, this.cost(member));
          if (cost === 0) break;
        }
        return cost;
      }
      if (node.conditions.length === 0) return 0;
      return node.conditions.reduce((sum, member) => sum + this.cost(member), 0);
    }
    const range = conditionRange(node);
    if (range === null) return 0;
    if (this.source.isIndexed(node.attribute)) return this.source.indexCount(node.attribute, range);
    if (node.attribute === "id" && node.comparator === "equals" && ["string", "number"].includes(typeof node.value)) {
      return 1;
    }
    return Infinity;
  }

  /** The records one condition selects, in index order: best matching element, then key. */
  private drive(condition: Condition, reverse: boolean): StorageRecord[] {
    if (conditionRange(condition) === null) return [];
    if (!this.source.isIndexed(condition.attribute)) {
      return this.byKey.filter((record) => record["id"] === condition.value);
    }
    const keyed: Array<{ element: unknown; record: StorageRecord }> = [];
    for (const record of this.byKey) {
      const value = record[condition.attribute];
      const elements = (value === undefined ? [] : Array.isArray(value) ? value : [value]).filter((element) =>
        matchesValue(condition, element),
      );
      if (elements.length === 0) continue;
      elements.sort(compareValues);
      keyed.push({ element: reverse ? elements[elements.length - 1] : elements[0], record });
    }
    keyed.sort((x, y) => compareValues(x.element, y.element) || compareValues(x.record["id"], y.record["id"]));
    if (reverse) keyed.reverse();
    return keyed.map((entry) => entry.record);
  }

  private keyOrder(reverse: boolean): StorageRecord[] {
    return reverse ? [...this.byKey].reverse() : this.byKey;
  }
}

function flatten(nodes: WhereNode[]): WhereNode[] {
  return nodes.flatMap((node) => (isConditionGroup(node) && node.operator === "and" ? flatten(node.conditions) : [node]));
}

const ids = (records: Iterable<StorageRecord>): Id[] => Array.from(records, (record) => record["id"] as Id);

test("runQuery returns what a brute-force filter, sort and page of every record returns, over random data and queries", () => {
  let queries = 0;
  let nonEmpty = 0;
  for (const seed of [1, 2, 3, 4]) {
    const rng = mulberry32(seed);
    const records = randomRecords(rng, 40 + seed * 30);
    // The last data set also indexes the primary key, so that conditions on it can drive too.
    const source = createMemoryIndexSource(records, { primaryKey: "id", indexed: seed === 4 ? ["id", ...indexed] : indexed });
    const reference = new Reference(source, records);
    const keys = records.map((record) => record["id"] as Id);
    for (let i = 0; i < 200; i++) {
      const query = randomQuery(rng, keys);
      const expected = reference.run(query);
      const actual = ids(runQuery(source, query));
      assert.deepEqual(actual, expected, `seed ${seed} query ${i}: ${JSON.stringify(query)}`);
      assert.equal(new Set(actual).size, actual.length, "every record comes once");
      queries++;
      if (actual.length > 0) nonEmpty++;
    }
  }
  assert.equal(queries, 800);
  assert.ok(nonEmpty > queries / 3, `most queries find something (${nonEmpty} of ${queries})`);
});

test("every comparator alone, on every attribute, matches the brute-force filter in both directions", () => {
  const rng = mulberry32(99);
  const records = randomRecords(rng, 150);
  const source = createMemoryIndexSource(records, { primaryKey: "id", indexed });
  const reference = new Reference(source, records);
  const keys = records.map((record) => record["id"] as Id);
  for (const comparator of comparators) {
    for (const attribute of attributes) {
      for (let i = 0; i < 12; i++) {
        const condition = { ...randomCondition(rng, keys), attribute, comparator };
        for (const reverse of [false, true]) {
          const query: Query = { where: { operator: "and", conditions: [condition] }, reverse };
          assert.deepEqual(ids(runQuery(source, query)), reference.run(query), JSON.stringify(query));
        }
      }
    }
  }
});
