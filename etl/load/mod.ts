/**
 * The repositories a pipeline can write to. Add one: a new file and one line in `LOADERS`.
 * @module
 */
import { createRegistry } from "../registry.ts";
import type { Loader } from "../types.ts";
import { fileLoader } from "./file.ts";
import { mysqlLoader } from "./mysql.ts";
import { postgresLoader } from "./postgres.ts";
import { s3Loader } from "./s3.ts";
import { sqliteLoader } from "./sqlite.ts";

/** Every repository, in the order the dashboard offers them. */
export const LOADERS: readonly Loader[] = [
  fileLoader,
  sqliteLoader,
  postgresLoader,
  mysqlLoader,
  s3Loader,
];

/** Repositories by `type`. */
export const loaders = createRegistry("loader", LOADERS);
