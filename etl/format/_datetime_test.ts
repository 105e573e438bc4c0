import assert from "node:assert/strict";
import { civilText, formatUtc, parseDate, parseDateTime } from "./_datetime.ts";

const utc = (text: string) => {
  const instant = parseDateTime(text);
  return instant && formatUtc(instant, "T");
};

Deno.test("parseDateTime() moves every offset spelling to the same UTC instant", () => {
  for (
    const text of [
      "2024-03-01T10:00:00+05:30",
      "2024-03-01 10:00:00+0530",
      "2024-03-01T04:30:00Z",
      "2024-03-01T04:30:00",
      "2024-02-29T23:30:00-05",
    ]
  ) {
    assert.equal(utc(text), "2024-03-01T04:30:00.000000", text);
  }
  assert.equal(utc("2024-03-01T10:00:00.1234567Z"), "2024-03-01T10:00:00.123456");
  assert.equal(utc("1969-12-31T23:59:59.5Z"), "1969-12-31T23:59:59.500000");
  assert.equal(utc("2024-03-01"), "2024-03-01T00:00:00.000000");
});

Deno.test("parseDateTime() and parseDate() reject impossible dates and times", () => {
  for (const text of ["2023-02-29T00:00:00Z", "2024-13-01", "2024-01-01T24:00:00Z", "soon"]) {
    assert.equal(parseDateTime(text), undefined, text);
  }
  assert.equal(parseDate("2023-02-29"), undefined);
  assert.equal(parseDate("1970-01-02"), 1);
  assert.equal(civilText(parseDate("0001-01-01")!), "0001-01-01");
  assert.equal(civilText(parseDate("9999-12-31")!), "9999-12-31");
});
