import assert from "node:assert/strict";
import { parquetMetadata } from "hyparquet";
import { encodeAll, TRICKY_ROWS } from "./_fixtures.ts";
import { parquetFormat } from "./parquet.ts";
import {
  decodeStruct,
  encodeStruct,
  field,
  readIntegerField,
  T,
  type ThriftStruct,
} from "./_thrift_compact.ts";

const struct = (fields: ThriftStruct["fields"]): ThriftStruct => ({ kind: "struct", fields });

Deno.test("thrift compact re-encodes a parquet-wasm footer and its page indexes byte for byte", async () => {
  const file = await encodeAll(parquetFormat, TRICKY_ROWS, {
    config: { rowGroupSize: 3, statistics: "all" },
  });
  const length = new DataView(file.buffer).getUint32(file.length - 8, true);
  const footer = file.subarray(file.length - 8 - length, file.length - 8);
  const { value, end } = decodeStruct(footer);
  assert.equal(end, footer.length);
  assert.deepEqual(encodeStruct(value), footer);
  // The tree holds what hyparquet reads: rows (field 3) and row groups (field 4).
  const meta = parquetMetadata(file.slice().buffer);
  assert.equal(field(value, 3)?.value, meta.num_rows);
  const groups = field(value, 4)!.value;
  assert.ok(typeof groups === "object" && "items" in groups && groups.items.length === 3);
  for (const c of meta.row_groups.flatMap((g) => g.columns)) {
    for (
      const [at, len] of [[c.offset_index_offset, c.offset_index_length], [
        c.column_index_offset,
        c.column_index_length,
      ]]
    ) {
      const bytes = file.subarray(Number(at), Number(at) + Number(len));
      assert.deepEqual(encodeStruct(decodeStruct(bytes).value), bytes);
    }
  }
});

Deno.test("thrift compact keeps every type, big field-id jumps and long lists", () => {
  const value = struct([
    { id: 1, type: T.I32, value: -2147483648 },
    { id: 2, type: T.I64, value: -(2n ** 63n) },
    { id: 3, type: T.I64, value: 2n ** 63n - 1n },
    { id: 40, type: T.BOOL, value: false },
    { id: 41, type: T.BOOL, value: true },
    { id: 7, type: T.I16, value: -300 },
    { id: 8, type: T.BYTE, value: -5 },
    { id: 9, type: T.DOUBLE, value: -1.5e300 },
    { id: 10, type: T.BINARY, value: new Uint8Array() },
    {
      id: 11,
      type: T.LIST,
      value: {
        kind: "list",
        elementType: T.I64,
        set: false,
        items: Array.from({ length: 20 }, (_, i) => BigInt(i) * 1000000007n),
      },
    },
    {
      id: 12,
      type: T.SET,
      value: { kind: "list", elementType: T.BOOL, set: true, items: [true, false] },
    },
    {
      id: 13,
      type: T.MAP,
      value: {
        kind: "map",
        keyType: T.BINARY,
        valueType: T.STRUCT,
        entries: [[new TextEncoder().encode("k"), struct([{ id: 1, type: T.I32, value: 7 }])]],
      },
    },
    {
      id: 14,
      type: T.MAP,
      value: { kind: "map", keyType: 0, valueType: 0, entries: [] },
    },
    { id: 15, type: T.STRUCT, value: struct([]) },
  ]);
  const bytes = encodeStruct(value);
  const back = decodeStruct(bytes);
  assert.deepEqual(back.value, value);
  assert.equal(back.end, bytes.length);
});

Deno.test("thrift compact writes the bytes the specification gives", () => {
  // Field 1 i32 -1: header 0x15, zigzag 1; field 17 (jump 16) i64 1: header 0x06, id 34, value 2.
  const bytes = encodeStruct(struct([
    { id: 1, type: T.I32, value: -1 },
    { id: 17, type: T.I64, value: 1n },
    { id: 18, type: T.BOOL, value: true },
  ]));
  assert.deepEqual([...bytes], [0x15, 0x01, 0x06, 0x22, 0x02, 0x11, 0x00]);
});

Deno.test("thrift compact says so when the data is cut short or nested without end", () => {
  const bytes = encodeStruct(struct([{ id: 1, type: T.BINARY, value: new Uint8Array(10) }]));
  assert.throws(() => decodeStruct(bytes.subarray(0, 5)), /ends in the middle of a value/);
  const deep = new Uint8Array(200).fill(0x1c); // field +1, struct, forever
  assert.throws(() => decodeStruct(deep), /nested too deeply/);
});

Deno.test("readIntegerField reads a footer's num_rows without decoding the row groups", async () => {
  const rows = Array.from(
    { length: 40 },
    (_, i) => ({ ...TRICKY_ROWS[i % TRICKY_ROWS.length], id: i }),
  );
  const file = await encodeAll(parquetFormat, rows, { config: { rowGroupSize: 3 } });
  const length = new DataView(file.buffer).getUint32(file.length - 8, true);
  const at = file.length - 8 - length;
  assert.equal(readIntegerField(file, at, 3), 40n);
  const meta = parquetMetadata(file.slice().buffer);
  assert.equal(readIntegerField(file, at, 3), meta.num_rows);
  // version (field 1) comes before the schema; a field the footer does not have is undefined.
  assert.equal(readIntegerField(file, at, 1), BigInt(meta.version));
  assert.equal(readIntegerField(file, at, 99), undefined);
});
