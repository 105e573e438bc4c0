import assert from "node:assert/strict";
import { fhirDate, fhirDateTime, instantKey } from "./dates.ts";

Deno.test("fhirDate() reads ISO, compact and slashed dates", () => {
  assert.equal(fhirDate("1968-07-31"), "1968-07-31");
  assert.equal(fhirDate("1968-07-31T00:00:00Z"), "1968-07-31");
  assert.equal(fhirDate("19680731"), "1968-07-31");
  assert.equal(fhirDate("7/31/1968"), "1968-07-31");
  assert.equal(fhirDate("31/7/1968", true), "1968-07-31");
  assert.equal(fhirDate("1968/07/31"), "1968-07-31");
  assert.equal(fhirDate("1968"), "1968");
  assert.equal(fhirDate("1968-07"), "1968-07");
});

Deno.test("fhirDate() refuses impossible and ambiguous dates", () => {
  assert.equal(fhirDate("1994-02-30"), undefined);
  assert.equal(fhirDate("2023-02-29"), undefined);
  assert.equal(fhirDate("2024-02-29"), "2024-02-29");
  assert.equal(fhirDate("1900-02-29"), undefined);
  assert.equal(fhirDate("7/31/68"), undefined);
  assert.equal(fhirDate("13/31/1968"), undefined);
  assert.equal(fhirDate("yesterday"), undefined);
});

Deno.test("fhirDateTime() keeps the instant and leaves a date-only value a date", () => {
  assert.equal(fhirDateTime("2014-02-15T10:14:03Z"), "2014-02-15T10:14:03Z");
  assert.equal(fhirDateTime("2014-02-15T10:14:03.250Z"), "2014-02-15T10:14:03.250Z");
  assert.equal(fhirDateTime("2013-03-07T09:24:19-05:00"), "2013-03-07T09:24:19-05:00");
  assert.equal(fhirDateTime("2013-03-07T09:24:19+0530"), "2013-03-07T09:24:19+05:30");
  assert.equal(fhirDateTime("2014-02-15 10:14"), "2014-02-15T10:14:00Z");
  assert.equal(fhirDateTime("2014-02-15"), "2014-02-15");
  assert.equal(fhirDateTime("2/15/2014 10:14:03"), "2014-02-15T10:14:03Z");
});

Deno.test("fhirDateTime() refuses malformed times and offsets", () => {
  assert.equal(fhirDateTime("2014-02-15T25:00:00Z"), undefined);
  assert.equal(fhirDateTime("2014-02-15T10:61:00Z"), undefined);
  assert.equal(fhirDateTime("2014-02-15T10:14:03+15:00"), undefined);
  assert.equal(fhirDateTime("2014-02-30T10:14:03Z"), undefined);
  assert.equal(fhirDateTime("2014-02-15T10"), undefined);
});

Deno.test("instantKey() is equal for equal instants however written", () => {
  const k = instantKey("2013-03-07T14:24:19Z");
  assert.equal(instantKey("2013-03-07T09:24:19-05:00"), k);
  assert.equal(instantKey("2013-03-07T14:24:19.000Z"), k);
  assert.notEqual(instantKey("2013-03-07T14:24:20Z"), k);
  assert.equal(instantKey("2013-03-07"), "2013-03-07");
});
