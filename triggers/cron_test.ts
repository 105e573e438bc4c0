import assert from "node:assert/strict";
import { ConfigError } from "../etl/errors.ts";
import { describeCron, nextRun, parseCron } from "./cron.ts";

/** The next `count` fire times after `after`, as ISO minutes. */
function runs(expression: string, after: string, count = 1): string[] {
  const schedule = parseCron(expression);
  const out: string[] = [];
  let at = new Date(after);
  for (let i = 0; i < count; i++) {
    at = nextRun(schedule, at);
    out.push(at.toISOString().slice(0, 16));
  }
  return out;
}

function refuses(expression: string, message: string | RegExp) {
  assert.throws(() => parseCron(expression), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError for "${expression}"`);
    if (typeof message === "string") assert.ok(err.message.includes(message), err.message);
    else assert.match(err.message, message);
    return true;
  });
}

// Calendar facts used below (checked with `date -u -d … +%A`): 2026-11-26 is a Thursday,
// 2026-11-27 a Friday, 2026-11-30 a Monday, 2027-01-03 a Sunday, 2032-02-29 and 2060-02-29
// Sundays; 2100 is not a leap year.

Deno.test("nextRun: every minute, strictly after the given time", () => {
  assert.deepEqual(runs("* * * * *", "2026-11-26T10:00:00Z", 2), [
    "2026-11-26T10:01",
    "2026-11-26T10:02",
  ]);
  assert.deepEqual(runs("* * * * *", "2026-11-26T10:00:59.999Z"), ["2026-11-26T10:01"]);
});

Deno.test("nextRun: steps */15, 10-50/10 and 5/20", () => {
  assert.deepEqual(runs("*/15 * * * *", "2026-11-26T10:07:00Z", 4), [
    "2026-11-26T10:15",
    "2026-11-26T10:30",
    "2026-11-26T10:45",
    "2026-11-26T11:00",
  ]);
  assert.deepEqual(runs("10-50/10 * * * *", "2026-11-26T10:50:00Z", 2), [
    "2026-11-26T11:10",
    "2026-11-26T11:20",
  ]);
  assert.deepEqual(runs("5/20 * * * *", "2026-11-26T10:46:00Z", 3), [
    "2026-11-26T11:05",
    "2026-11-26T11:25",
    "2026-11-26T11:45",
  ]);
});

Deno.test("nextRun: rolls over the hour, day, month and year", () => {
  assert.deepEqual(runs("*/15 * * * *", "2026-12-31T23:50:00Z"), ["2027-01-01T00:00"]);
  assert.deepEqual(runs("30 2 * * *", "2026-11-26T02:30:00Z"), ["2026-11-27T02:30"]);
  assert.deepEqual(runs("30 2 * * *", "2026-11-30T03:00:00Z"), ["2026-12-01T02:30"]);
  assert.deepEqual(runs("59 23 31 12 *", "2026-12-31T23:59:00Z"), ["2027-12-31T23:59"]);
});

Deno.test("nextRun: lists and ranges in hours and days of the month", () => {
  assert.deepEqual(runs("0 0 1,15 * *", "2026-11-15T00:00:00Z", 2), [
    "2026-12-01T00:00",
    "2026-12-15T00:00",
  ]);
  assert.deepEqual(runs("0 9-17 * * MON-FRI", "2026-11-27T17:00:00Z", 2), [
    "2026-11-30T09:00",
    "2026-11-30T10:00",
  ]);
  assert.deepEqual(runs("15 6,18 * * *", "2026-11-26T06:15:00Z", 2), [
    "2026-11-26T18:15",
    "2026-11-27T06:15",
  ]);
});

Deno.test("nextRun: month and day names in any case", () => {
  // Day of month is *, so a day must be a Sunday in January or July.
  assert.deepEqual(runs("0 12 * JAN,jul sun", "2026-11-26T00:00:00Z", 2), [
    "2027-01-03T12:00",
    "2027-01-10T12:00",
  ]);
  assert.deepEqual(runs("0 0 1 jun-AUG/2 *", "2026-11-26T00:00:00Z", 2), [
    "2027-06-01T00:00",
    "2027-08-01T00:00",
  ]);
});

Deno.test("nextRun: day-of-week 7 and 0 are both Sunday", () => {
  assert.deepEqual(runs("0 0 * * 7", "2026-11-26T00:00:00Z"), ["2026-11-29T00:00"]);
  assert.deepEqual(runs("0 0 * * 0", "2026-11-26T00:00:00Z"), ["2026-11-29T00:00"]);
  assert.deepEqual(runs("0 0 * * 5-7", "2026-11-26T00:00:00Z", 4), [
    "2026-11-27T00:00",
    "2026-11-28T00:00",
    "2026-11-29T00:00",
    "2026-12-04T00:00",
  ]);
  assert.deepEqual(parseCron("0 0 * * 0,7").daysOfWeek, [0]);
  assert.deepEqual(parseCron("0 0 * * FRI-SUN").daysOfWeek, [0, 5, 6]);
  assert.deepEqual(parseCron("0 0 * * MON-SUN").daysOfWeek, [0, 1, 2, 3, 4, 5, 6]);
});

Deno.test("nextRun: both day fields restricted fire on a day matching either", () => {
  // Fridays, and the 13th (Sunday 13 December 2026).
  assert.deepEqual(runs("0 0 13 * FRI", "2026-11-26T00:00:00Z", 5), [
    "2026-11-27T00:00",
    "2026-12-04T00:00",
    "2026-12-11T00:00",
    "2026-12-13T00:00",
    "2026-12-18T00:00",
  ]);
});

Deno.test("nextRun: a day field starting with * is unrestricted, so both must match", () => {
  // Odd days that are Mondays: 30 November is even, 7 December is odd.
  assert.deepEqual(runs("0 0 */2 * MON", "2026-11-26T00:00:00Z"), ["2026-12-07T00:00"]);
  // Day-of-week */7 is only Sunday: 29 February on a Sunday, 28 years apart.
  assert.deepEqual(runs("0 0 29 2 */7", "2026-11-26T00:00:00Z", 2), [
    "2032-02-29T00:00",
    "2060-02-29T00:00",
  ]);
});

Deno.test("nextRun: 29 February waits for leap years and skips 2100", () => {
  assert.deepEqual(runs("0 0 29 2 *", "2026-11-26T00:00:00Z", 2), [
    "2028-02-29T00:00",
    "2032-02-29T00:00",
  ]);
  assert.deepEqual(runs("0 0 29 2 *", "2096-03-01T00:00:00Z"), ["2104-02-29T00:00"]);
});

Deno.test("nextRun: the 31st skips months that are shorter", () => {
  assert.deepEqual(runs("0 0 31 * *", "2026-11-26T00:00:00Z", 4), [
    "2026-12-31T00:00",
    "2027-01-31T00:00",
    "2027-03-31T00:00",
    "2027-05-31T00:00",
  ]);
  assert.deepEqual(runs("0 0 30 * *", "2027-01-30T00:00:00Z"), ["2027-03-30T00:00"]);
});

Deno.test("nextRun: macros", () => {
  const after = "2026-11-26T10:00:00Z";
  assert.deepEqual(runs("@hourly", after), ["2026-11-26T11:00"]);
  assert.deepEqual(runs("@daily", after), ["2026-11-27T00:00"]);
  assert.deepEqual(runs("@MIDNIGHT", after), ["2026-11-27T00:00"]);
  assert.deepEqual(runs("@weekly", after), ["2026-11-29T00:00"]);
  assert.deepEqual(runs("@monthly", after), ["2026-12-01T00:00"]);
  assert.deepEqual(runs("@yearly", after), ["2027-01-01T00:00"]);
  assert.deepEqual(runs("@annually", after), ["2027-01-01T00:00"]);
  assert.equal(parseCron(" @daily ").expression, "@daily");
});

Deno.test("parseCron tolerates extra spaces and keeps the expression", () => {
  const s = parseCron("  0   0 * *  * ");
  assert.equal(s.expression, "0 0 * * *");
  assert.deepEqual(runs("  0   0 * *  * ", "2026-11-26T10:00:00Z"), ["2026-11-27T00:00"]);
});

Deno.test("parseCron names the field and value that is out of range", () => {
  refuses("61 * * * *", 'minute field "61" is out of range 0–59');
  refuses("* 24 * * *", 'hour field "24" is out of range 0–23');
  refuses("* * 0 * *", 'day-of-month field "0" is out of range 1–31');
  refuses("* * 32 * *", 'day-of-month field "32" is out of range 1–31');
  refuses("* * * 13 *", 'month field "13" is out of range 1–12');
  refuses("* * * * 8", 'day-of-week field "8" is out of range 0–7');
  refuses("0,15,60 * * * *", 'minute field "60" is out of range 0–59');
  refuses("0 0-24 * * *", 'hour field "24" is out of range 0–23');
  refuses("61 * * * *", 'The schedule "61 * * * *" is not valid');
});

Deno.test("parseCron refuses malformed fields with a readable message", () => {
  refuses("*/0 * * * *", 'minute field "*/0" needs a whole step of at least 1');
  refuses("*/x * * * *", 'minute field "*/x" needs a whole step');
  refuses("5-1 * * * *", 'minute field "5-1" runs backwards');
  refuses("* * * * FRI-MON", 'day-of-week field "FRI-MON" runs backwards');
  refuses("* * * DEC-JAN *", 'month field "DEC-JAN" runs backwards');
  refuses("1-2-3 * * * *", 'minute field "1-2-3" is not a valid range');
  refuses("a * * * *", 'minute field "a" is not a number');
  refuses("* * * FOO *", 'month field "FOO" is not a number (use numbers or names like JAN)');
  refuses("* * * * MONDAY", 'day-of-week field "MONDAY" is not a number');
  refuses("1, * * * *", 'minute field "" is not a number');
  refuses("? * * * *", 'minute field "?" is not a number');
});

Deno.test("parseCron refuses the wrong number of fields and unknown macros", () => {
  refuses("* * * *", "it has 4 fields but needs 5: minute hour day-of-month month day-of-week");
  refuses("0 0 * * * 2026", "it has 6 fields but needs 5");
  refuses("", "it has 0 fields");
  refuses("@reboot", /unknown macro; use one of @hourly, @daily/);
});

Deno.test("parseCron refuses expressions that never run", () => {
  refuses("0 0 30 2 *", "it never runs, because no chosen month has the chosen day of the month");
  refuses("0 0 31 4,6,9,11 *", "it never runs");
  refuses("0 0 30,31 FEB */2", "it never runs");
  // With a restricted day-of-week the weekday alone can fire: Mondays in February.
  assert.deepEqual(runs("0 0 30 2 MON", "2027-01-31T00:00:00Z"), ["2027-02-01T00:00"]);
  assert.deepEqual(runs("0 0 29-31 2 *", "2026-11-26T00:00:00Z"), ["2028-02-29T00:00"]);
});

Deno.test("nextRun throws 'never runs' for a hand-made impossible schedule", () => {
  const impossible = { ...parseCron("0 0 1 2 *"), daysOfMonth: [30] };
  assert.throws(() => nextRun(impossible, new Date("2026-01-01T00:00:00Z")), {
    name: "ConfigError",
    message: /never runs/,
  });
});

Deno.test("nextRun finds rare dates quickly", () => {
  const schedule = parseCron("0 0 29 2 */7");
  const started = performance.now();
  let at = new Date("2000-01-01T00:00:00Z");
  for (let i = 0; i < 20; i++) at = nextRun(schedule, at);
  assert.ok(performance.now() - started < 500, "20 lookups of a once-in-28-years date");
});

Deno.test("describeCron says common schedules in English", () => {
  const cases: [string, string][] = [
    ["30 2 * * *", "Every day at 02:30 UTC"],
    ["@daily", "Every day at 00:00 UTC"],
    ["0 6,18 * * *", "Every day at 06:00 and 18:00 UTC"],
    ["*/15 * * * *", "Every 15 minutes"],
    ["* * * * *", "Every minute"],
    ["@hourly", "Every hour, on the hour"],
    ["5 * * * *", "Every hour at 5 minutes past"],
    ["0 8 * * MON-FRI", "Every weekday (Monday to Friday) at 08:00 UTC"],
    ["0 8 * * 1,5", "Every Monday and Friday at 08:00 UTC"],
    ["@weekly", "Every Sunday at 00:00 UTC"],
    ["0 0 1 * *", "On day 1 of every month at 00:00 UTC"],
    ["0 3 1,15 * *", "On days 1 and 15 of every month at 03:00 UTC"],
    ["@yearly", "Every year on 1 January at 00:00 UTC"],
  ];
  for (const [expression, sentence] of cases) {
    assert.equal(describeCron(parseCron(expression)), sentence, expression);
  }
});

Deno.test("describeCron falls back to the expression", () => {
  for (const expression of ["*/7 * * * *", "0 0 13 * FRI", "0,30 9 * * *", "0 0 1 1,7 *"]) {
    assert.equal(
      describeCron(parseCron(expression)),
      `On the cron schedule "${expression}" (UTC)`,
    );
  }
});

Deno.test("nextRun agrees with a minute-by-minute scan on random expressions", () => {
  let seed = 42;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const item = (min: number, max: number) => {
    const a = min + rand(max - min + 1);
    const b = a + rand(max - a + 1);
    return [`*`, `*/${1 + rand(12)}`, `${a}`, `${a}-${b}`, `${a}-${b}/${1 + rand(4)}`][rand(5)];
  };
  const field = (min: number, max: number) =>
    rand(3) === 0 ? `${item(min, max)},${item(min, max)}` : item(min, max);
  let compared = 0;
  for (let i = 0; i < 150; i++) {
    const text = [field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 7)].join(" ");
    let s;
    try {
      s = parseCron(text);
    } catch {
      continue; // never runs
    }
    const after = new Date(Date.UTC(2027, rand(12), 1 + rand(28), rand(24), rand(60)));
    let expected: Date | undefined;
    for (let t = after.getTime() + 60_000; t <= after.getTime() + 20 * 86_400_000; t += 60_000) {
      const d = new Date(t);
      const dom = s.daysOfMonth.includes(d.getUTCDate());
      const dow = s.daysOfWeek.includes(d.getUTCDay());
      const day = s.dayOfMonthRestricted && s.dayOfWeekRestricted ? dom || dow : dom && dow;
      if (
        day && s.minutes.includes(d.getUTCMinutes()) && s.hours.includes(d.getUTCHours()) &&
        s.months.includes(d.getUTCMonth() + 1)
      ) {
        expected = d;
        break;
      }
    }
    const got = nextRun(s, after);
    if (expected) assert.equal(got.toISOString(), expected.toISOString(), text);
    else assert.ok(got.getTime() > after.getTime() + 20 * 86_400_000, text);
    compared++;
  }
  assert.ok(compared > 100, `compared ${compared} expressions`);
});
