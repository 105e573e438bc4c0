/**
 * A tiny RFC 4180 reader for the small tables shipped with the code (the CVX list) and for
 * test fixtures; pipelines read CSV through the etl extractor, not this.
 * @module
 */

/** Parse CSV text into records of fields; quotes, doubled quotes and CRLF are handled. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Parse CSV text with a header line into objects keyed by the header's names. */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(text);
  return records.map((fields) =>
    Object.fromEntries(header.map((name, i) => [name, fields[i] ?? ""]))
  );
}
