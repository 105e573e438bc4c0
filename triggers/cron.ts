/**
 * Standard 5-field cron expressions, always in UTC: `minute hour day-of-month month day-of-week`.
 * Each field takes `*`, numbers, lists `1,15`, ranges `1-5`, steps `* /15` (without the space),
 * `10-50/10` and `5/15` (from 5 to the end), month names `JAN`–`DEC` and day names `SUN`–`SAT`
 * (any case); day-of-week 0 and 7 are both Sunday (`FRI-SUN` works). Macros: `@hourly`,
 * `@daily` (`@midnight`), `@weekly`, `@monthly`, `@yearly` (`@annually`).
 *
 * Day rule (Vixie cron, cronie): when both day-of-month and day-of-week are restricted, a day
 * matching either fires; a field starting with `*` (even `* /2`) counts as unrestricted, so
 * then a day must match both.
 * @module
 */
import { ConfigError } from "../etl/errors.ts";

/** A parsed cron expression: the allowed values of each field, sorted. Plain JSON. */
export interface CronSchedule {
  /** The expression as written (trimmed). */
  expression: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: number[];
  /** Day-of-month field does not start with `*`. */
  dayOfMonthRestricted: boolean;
  /** Day-of-week field does not start with `*`. */
  dayOfWeekRestricted: boolean;
}

const MACROS: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

const MONTH_NAMES = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { name: "day-of-week", min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

/** Days in `month` (1–12) of `year`, Gregorian. */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function fail(expression: string, problem: string): never {
  throw new ConfigError(`The schedule "${expression}" is not valid: ${problem}`);
}

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (spec.nameBase ?? 0);
  if (!/^\d+$/.test(text)) {
    const hint = spec.names ? ` (use numbers or names like ${spec.names[0]})` : "";
    fail(expression, `${spec.name} field "${text}" is not a number${hint}`);
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    fail(expression, `${spec.name} field "${text}" is out of range ${spec.min}–${spec.max}`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec, expression: string): number[] {
  const values = new Set<number>();
  for (const item of text.split(",")) {
    const match = item.match(/^([^/]*)(?:\/(.*))?$/)!;
    const [, range, stepText] = match;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        fail(expression, `${spec.name} field "${item}" needs a whole step of at least 1 after "/"`);
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === "*") {
      [from, to] = [spec.min, spec.max];
    } else if (range.includes("-")) {
      const parts = range.split("-");
      if (parts.length !== 2) fail(expression, `${spec.name} field "${item}" is not a valid range`);
      [from, to] = parts.map((p) => parseValue(p, spec, expression));
      // Sunday is 0 and 7: "FRI-SUN" means Friday to Sunday.
      if (spec.max === 7 && to === 0) to = 7;
      if (from > to) {
        fail(
          expression,
          `${spec.name} field "${item}" runs backwards; write the smaller value first`,
        );
      }
    } else {
      from = parseValue(range, spec, expression);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * Parse a cron expression (see the module doc), or throw a ConfigError naming the field and
 * value, e.g. `minute field "61" is out of range 0–59`, or saying it never runs (`0 0 30 2 *`).
 */
export function parseCron(text: string): CronSchedule {
  const expression = text.trim().replace(/\s+/g, " ");
  if (expression.startsWith("@")) {
    const expanded = MACROS[expression.toLowerCase()];
    if (expanded === undefined) {
      fail(expression, `unknown macro; use one of ${Object.keys(MACROS).join(", ")}`);
    }
    return { ...parseCron(expanded), expression };
  }
  const fields = expression === "" ? [] : expression.split(" ");
  if (fields.length !== 5) {
    fail(
      expression,
      `it has ${fields.length} fields but needs 5: minute hour day-of-month month day-of-week`,
    );
  }
  const [minutes, hours, daysOfMonth, months, rawDays] = fields.map((f, i) =>
    parseField(f, FIELDS[i], expression)
  );
  const daysOfWeek = [...new Set(rawDays.map((d) => d % 7))].sort((a, b) => a - b);
  const schedule: CronSchedule = {
    expression,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    dayOfMonthRestricted: !fields[2].startsWith("*"),
    dayOfWeekRestricted: !fields[4].startsWith("*"),
  };
  // Only the day of month can make a date impossible (30 February); weekdays come round.
  const possible = !schedule.dayOfMonthRestricted || schedule.dayOfWeekRestricted ||
    months.some((m) => daysOfMonth[0] <= daysIn(2000, m));
  if (!possible) {
    fail(expression, "it never runs, because no chosen month has the chosen day of the month");
  }
  return schedule;
}

function dayMatches(s: CronSchedule, year: number, month: number, day: number): boolean {
  const dom = s.daysOfMonth.includes(day);
  const dow = s.daysOfWeek.includes(new Date(Date.UTC(year, month - 1, day)).getUTCDay());
  if (s.dayOfMonthRestricted && s.dayOfWeekRestricted) return dom || dow;
  return dom && dow;
}

/** The first allowed value ≥ `from`, if any. */
function firstFrom(values: number[], from: number): number | undefined {
  return values.find((v) => v >= from);
}

/**
 * The first minute strictly after `after` that the schedule fires (UTC). Jumps by month, day
 * and hour, so even a once-in-28-years expression (29 February on a Monday) is found quickly.
 * Throws a ConfigError "never runs" when nothing fires within 400 years (one Gregorian cycle).
 */
export function nextRun(schedule: CronSchedule, after: Date): Date {
  const start = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  let hour = start.getUTCHours();
  let minute = start.getUTCMinutes();
  const nextDay = () => {
    day++;
    hour = 0;
    minute = 0;
  };
  while (year <= start.getUTCFullYear() + 400) {
    if (!schedule.months.includes(month) || day > daysIn(year, month)) {
      const m = firstFrom(schedule.months, month + 1);
      if (m === undefined) [year, month] = [year + 1, schedule.months[0]];
      else month = m;
      [day, hour, minute] = [1, 0, 0];
      continue;
    }
    if (!dayMatches(schedule, year, month, day)) {
      nextDay();
      continue;
    }
    const h = firstFrom(schedule.hours, hour);
    if (h === undefined) {
      nextDay();
      continue;
    }
    if (h !== hour) [hour, minute] = [h, 0];
    const m = firstFrom(schedule.minutes, minute);
    if (m === undefined) {
      [hour, minute] = [hour + 1, 0];
      if (hour > 23) nextDay();
      continue;
    }
    return new Date(Date.UTC(year, month - 1, day, hour, m));
  }
  fail(schedule.expression, "it never runs");
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function monthName(month: number): string {
  return new Date(Date.UTC(2000, month - 1, 1)).toLocaleString("en", {
    month: "long",
    timeZone: "UTC",
  });
}

function listing(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** The step of `values` when they are 0, n, 2n … covering `size` evenly (n > 1). */
function evenStep(values: number[], size: number): number | undefined {
  const n = values[1];
  if (values.length < 2 || values[0] !== 0 || size % n !== 0 || values.length !== size / n) return;
  return values.every((v, i) => v === i * n) ? n : undefined;
}

/**
 * A short English sentence for the dashboard: "Every day at 02:30 UTC", "Every 15 minutes",
 * "Every Monday and Friday at 08:00 UTC", "On day 1 of every month at 00:00 UTC"; anything
 * else falls back to the expression itself.
 */
export function describeCron(schedule: CronSchedule): string {
  const s = schedule;
  const allDom = !s.dayOfMonthRestricted && s.daysOfMonth.length === 31;
  const allDow = !s.dayOfWeekRestricted && s.daysOfWeek.length === 7;
  const allMonths = s.months.length === 12;
  const everyDay = allDom && allDow && allMonths;
  const fallback = `On the cron schedule "${s.expression}" (UTC)`;
  if (everyDay && s.hours.length === 24) {
    if (s.minutes.length === 60) return "Every minute";
    const step = evenStep(s.minutes, 60);
    if (step !== undefined) return `Every ${step} minutes`;
    if (s.minutes.length === 1) {
      const m = s.minutes[0];
      return m === 0 ? "Every hour, on the hour" : `Every hour at ${m} minutes past`;
    }
    return fallback;
  }
  if (s.minutes.length !== 1 || s.hours.length > 4) return fallback;
  const pad = (n: number) => String(n).padStart(2, "0");
  const at = `at ${listing(s.hours.map((h) => `${pad(h)}:${pad(s.minutes[0])}`))} UTC`;
  if (everyDay) return `Every day ${at}`;
  if (allDom && allMonths && s.dayOfWeekRestricted) {
    if (s.daysOfWeek.join() === "1,2,3,4,5") return `Every weekday (Monday to Friday) ${at}`;
    return `Every ${listing(s.daysOfWeek.map((d) => WEEKDAYS[d]))} ${at}`;
  }
  if (allDow && s.dayOfMonthRestricted && s.daysOfMonth.length <= 3) {
    const days = listing(s.daysOfMonth.map(String));
    const plural = s.daysOfMonth.length > 1 ? "s" : "";
    if (allMonths) return `On day${plural} ${days} of every month ${at}`;
    if (s.months.length === 1 && s.daysOfMonth.length === 1) {
      return `Every year on ${days} ${monthName(s.months[0])} ${at}`;
    }
  }
  return fallback;
}
