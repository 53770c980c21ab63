import { readFileSync } from "node:fs";

/** Reads a file of test/fixtures/ (tests run from dist/test/, fixtures stay in test/fixtures/). */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");
}

/** The non-empty, non-comment lines of a fixture. */
export function fixtureLines(name: string): string[] {
  return fixtureText(name)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** A tab-separated fixture as [first column, second column] pairs. */
export function fixturePairs(name: string): Array<[string, string]> {
  return fixtureLines(name).map((line) => {
    const [key, value] = line.split("\t");
    return [key!, value ?? ""];
  });
}
