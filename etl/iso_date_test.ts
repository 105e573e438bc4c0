import assert from "node:assert/strict";
import { isoDateNumber, validDay } from "./iso_date.ts";

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})/;

Deno.test("isoDateNumber reads exactly the texts a YYYY-MM-DD regular expression reads", () => {
  const alphabet = "0123456789--/ aT٣+.";
  for (let i = 0; i < 50_000; i++) {
    const length = 8 + Math.floor(Math.random() * 5);
    let text = "";
    for (let j = 0; j < length; j++) {
      // Mostly dates with a wrong character here and there.
      text += j === 4 || j === 7
        ? (Math.random() < 0.9 ? "-" : alphabet[Math.floor(Math.random() * alphabet.length)])
        : Math.random() < 0.93
        ? String(Math.floor(Math.random() * 10))
        : alphabet[Math.floor(Math.random() * alphabet.length)];
    }
    const m = SHAPE.exec(text);
    const expected = m ? Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]) : -1;
    assert.equal(isoDateNumber(text), expected, JSON.stringify(text));
  }
});

Deno.test("validDay knows month lengths and leap years", () => {
  assert.equal(validDay(2024, 2, 29), true);
  assert.equal(validDay(2023, 2, 29), false);
  assert.equal(validDay(1900, 2, 29), false);
  assert.equal(validDay(2000, 2, 29), true);
  assert.equal(validDay(2024, 4, 31), false);
  assert.equal(validDay(2024, 12, 31), true);
  assert.equal(validDay(2024, 13, 1), false);
  assert.equal(validDay(2024, 0, 1), false);
  assert.equal(validDay(2024, 1, 0), false);
});
