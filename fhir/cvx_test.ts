import assert from "node:assert/strict";
import { CVX_CODES, cvxCode } from "./cvx.ts";

Deno.test("CVX list loads all 288 CDC codes with text codes and leading zeros", () => {
  assert.equal(CVX_CODES.size, 288);
  assert.equal(CVX_CODES.get("08")?.shortDescription, "Hep B, adolescent or pediatric");
  assert.equal(CVX_CODES.get("03")?.shortDescription, "MMR");
  assert.ok(!CVX_CODES.has("8"));
  assert.equal(CVX_CODES.get("02")?.shortDescription, "OPV, trivalent"); // quoted field with a comma
});

Deno.test("cvxCode() pads numbers from integer columns to the code that exists", () => {
  assert.equal(cvxCode(8), "08");
  assert.equal(cvxCode("8"), "08");
  assert.equal(cvxCode(140), "140");
  assert.equal(cvxCode("03"), "03");
  assert.equal(cvxCode("0140"), "140");
  assert.equal(cvxCode("9999"), undefined);
});
