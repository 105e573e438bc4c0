import assert from "node:assert/strict";
import { createValueMap, normalizeKey } from "./value_map.ts";
import { GENDER_MAP, RACE_MAP } from "./terminology.ts";
import { US_STATES } from "./us_states.ts";

Deno.test("normalizeKey() ignores case and punctuation", () => {
  assert.equal(normalizeKey("Date_Of-Birth"), "dateofbirth");
  assert.equal(normalizeKey("BIRTHDATE"), normalizeKey("birthdate"));
  assert.equal(normalizeKey("Non-Hispanic"), "nonhispanic");
});

Deno.test("createValueMap() lets user entries win over defaults", () => {
  const gender = createValueMap(GENDER_MAP, { "9": "unknown", X: "unknown" });
  assert.equal(gender.get("M"), "male");
  assert.equal(gender.get("Female"), "female");
  assert.equal(gender.get("9"), "unknown");
  assert.equal(gender.get("x"), "unknown");
  assert.equal(gender.get("Q"), undefined);
});

Deno.test("createValueMap() does not read a punctuation-only value as blank", () => {
  const gender = createValueMap(GENDER_MAP);
  assert.equal(gender.get(""), "unknown");
  assert.equal(gender.get("?"), undefined);
  assert.equal(createValueMap(GENDER_MAP, { "?": "unknown" }).get("?"), "unknown");
});

Deno.test("state and race maps cover Synthea's spellings", () => {
  const states = createValueMap(US_STATES);
  assert.equal(states.get("Massachusetts"), "MA");
  assert.equal(states.get("new mexico"), "NM");
  assert.equal(states.get("ri"), "RI");
  const race = createValueMap(RACE_MAP);
  for (
    const [from, to] of [
      ["white", "2106-3"],
      ["black", "2054-5"],
      ["asian", "2028-9"],
      ["native", "1002-5"],
      ["hawaiian", "2076-8"],
      ["other", "2131-1"],
    ]
  ) {
    assert.equal(race.get(from), to);
  }
});
