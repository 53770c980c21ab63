/**
 * The configuration as plain data: the YAML file parsed, a mapping of camelCase keys whose values
 * are scalars, lists or nested mappings, exactly as `get_configuration` returns it.
 */
export type ConfigTree = { [key: string]: ConfigValue };

/** A value in a ConfigTree. */
export type ConfigValue = string | number | boolean | null | ConfigValue[] | ConfigTree;

/** True for a mapping (not null, not a list). */
export function isConfigTree(value: unknown): value is ConfigTree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at a dotted path (`operationsApi.network.port`), or undefined when any step is missing. */
export function getPath(tree: ConfigTree, path: string): ConfigValue | undefined {
  let node: ConfigValue | undefined = tree;
  for (const segment of path.split(".")) {
    if (!isConfigTree(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * Sets the value at a dotted path, creating mappings on the way. A step that holds a scalar (as
 * `http.mtls: false` does before `http.mtls.required` is set) is replaced by a mapping, which is
 * Harper's rule for set_configuration as well.
 */
export function setPath(tree: ConfigTree, path: string, value: ConfigValue): void {
  const segments = path.split(".");
  const last = segments.pop() as string;
  let node = tree;
  for (const segment of segments) {
    const next = node[segment];
    if (isConfigTree(next)) {
      node = next;
    } else {
      const created: ConfigTree = {};
      node[segment] = created;
      node = created;
    }
  }
  node[last] = value;
}

/**
 * A deep copy of `base` with `over` laid on top: mappings merge key by key, anything else
 * (scalars, lists, null) in `over` replaces what `base` has. Neither input is changed.
 */
export function mergeTrees(base: ConfigTree, over: ConfigTree): ConfigTree {
  const merged = cloneTree(base);
  for (const [key, value] of Object.entries(over)) {
    if (key === "__proto__") continue;
    const current = merged[key];
    merged[key] = isConfigTree(current) && isConfigTree(value) ? mergeTrees(current, value) : cloneValue(value);
  }
  return merged;
}

/** A deep copy of a tree. */
export function cloneTree(tree: ConfigTree): ConfigTree {
  return cloneValue(tree) as ConfigTree;
}

/**
 * Every dotted path of a tree, mappings included (`operationsApi`, `operationsApi.network`,
 * `operationsApi.network.port`, ...), in the tree's own order.
 */
export function treePaths(tree: ConfigTree, prefix = ""): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    paths.push(path);
    if (isConfigTree(value)) paths.push(...treePaths(value, path));
  }
  return paths;
}

function cloneValue(value: ConfigValue): ConfigValue {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (isConfigTree(value)) {
    const copy: ConfigTree = {};
    for (const [key, child] of Object.entries(value)) {
      // A "__proto__" key from YAML would set the copy's prototype: no config key has that name.
      if (key !== "__proto__") copy[key] = cloneValue(child);
    }
    return copy;
  }
  return value;
}
