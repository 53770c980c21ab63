import { test } from "node:test";
import assert from "node:assert/strict";
import { whereTemplate } from "../src/sql/where-template.js";
import { parseStatement } from "../src/sql/parse.js";

test("WHERE constants become parameters; the rest of the statement stays as written", () => {
  assert.deepEqual(whereTemplate("SELECT * FROM bench.t WHERE id = 42"), { text: "SELECT * FROM bench.t WHERE id = ?", params: [42] });
  assert.deepEqual(whereTemplate("SELECT 'x' AS k, 7 FROM d.t WHERE a IN ('p', 2.5e1) AND b > -3 ORDER BY a LIMIT 5"), {
    text: "SELECT 'x' AS k, 7 FROM d.t WHERE a IN (?, ?) AND b > -? ORDER BY a LIMIT 5",
    params: ["p", 25, 3],
  });
  assert.deepEqual(whereTemplate('UPDATE d.t SET a = 1 WHERE `x 1` = "y" AND c1 = 2'), { text: 'UPDATE d.t SET a = 1 WHERE `x 1` = ? AND c1 = ?', params: ["y", 2] });
});

test("statements with escapes, comments, several statements or no WHERE constants are kept whole", () => {
  assert.equal(whereTemplate("SELECT * FROM d.t WHERE a = 'it''s'"), undefined);
  assert.equal(whereTemplate("SELECT * FROM d.t WHERE a = 1 -- note"), undefined);
  assert.equal(whereTemplate("SELECT * FROM d.t WHERE a = 1; DELETE FROM d.t"), undefined);
  assert.equal(whereTemplate("SELECT * FROM d.t WHERE a = b"), undefined);
  assert.equal(whereTemplate("SELECT * FROM d.t1 WHERE a = d.1num"), undefined);
});

test("a statement parsed through its template equals the statement parsed whole", () => {
  const statements = [
    "SELECT * FROM d.t WHERE id = 5",
    "SELECT id FROM d.t WHERE flag = 'true' AND n IN ('5', 'x') AND s LIKE 'a%' AND v BETWEEN 1 AND 2.5",
    "DELETE FROM d.t WHERE id IN (1, 2, 3)",
    "UPDATE d.t SET a = a + 1 WHERE b <> \"q\"",
  ];
  for (const sql of statements) {
    const viaTemplate = parseStatement(sql);
    const whole = parseStatement(`${sql} `.replace(/WHERE/, "WHERE 1 = 1 AND").replace("WHERE 1 = 1 AND", "WHERE"));
    assert.deepEqual(viaTemplate, whole, sql);
  }
});
