import assert from "node:assert/strict";
import { newRunId } from "../runs/run_id.ts";
import { bearerToken, staticTokens } from "./auth.ts";

Deno.test("a token names its tenant; any other token names none", async () => {
  const auth = staticTokens({
    "a-token-of-clinic-a": "clinic-a",
    "b-token-of-clinic-b": "clinic-b",
  });
  assert.equal((await auth.authenticate("a-token-of-clinic-a"))?.tenant, "clinic-a");
  assert.equal((await auth.authenticate("b-token-of-clinic-b"))?.tenant, "clinic-b");
  assert.equal(await auth.authenticate("a-token-of-clinic-"), undefined);
  assert.equal(await auth.authenticate(""), undefined);
  assert.throws(() => staticTokens({ short: "clinic-a" }), /shorter than 16 characters/);
  assert.equal(bearerToken("Bearer abc"), "abc");
  assert.equal(bearerToken("bearer  abc "), "abc");
  assert.equal(bearerToken("Basic abc"), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

Deno.test("run ids sort by the time they were made", () => {
  const ids = [0, 1, 1_000, 86_400_000].map((ms) => newRunId(new Date(1_800_000_000_000 + ms)));
  assert.deepEqual([...ids].sort(), ids);
  for (const id of ids) {
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
});

Deno.test("run ids made in the same millisecond still sort in the order they were made", () => {
  const at = new Date();
  const ids = Array.from({ length: 5_000 }, () => newRunId(at));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});
