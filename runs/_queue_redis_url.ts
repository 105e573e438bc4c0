/**
 * `redis://[user:password@]host[:port][/db]` → ioredis connection options. Errors name the
 * variable and show the URL with its password masked: the message may reach a log or a page.
 * @module
 */
import { ConfigError } from "../etl/errors.ts";

/** Where a Redis server is, as ioredis takes it. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** `url` with any password replaced by `***`, for messages; copes with malformed URLs too. */
export function maskUrl(url: string): string {
  const at = url.lastIndexOf("@");
  if (at < 0) return url;
  const slashes = url.indexOf("//");
  const start = slashes >= 0 && slashes < at ? slashes + 2 : 0;
  const colon = url.indexOf(":", start);
  if (colon < 0 || colon > at) return url; // a user name without a password
  return `${url.slice(0, colon + 1)}***${url.slice(at)}`;
}

/** Parse a Redis URL; `name` is the setting it came from (e.g. `QUEUE_URL`), for the message. */
export function parseRedisUrl(url: string, name = "QUEUE_URL"): RedisTarget {
  const bad = (why: string) =>
    new ConfigError(
      `${name} must look like redis://host:6379/0 (${why}); it is "${maskUrl(url)}".`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const port = /^redis:\/\/[^/]*:(\d+)(\/|$)/.exec(url)?.[1];
    throw bad(port && Number(port) > 65535 ? "the port must be at most 65535" : "not a URL");
  }
  if (parsed.protocol !== "redis:") throw bad("the scheme must be redis://");
  if (!parsed.hostname) throw bad("the host is missing");
  const port = parsed.port ? Number(parsed.port) : 6379;
  const path = parsed.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,2}$/.test(path)) throw bad("the database must be a number");
  if (parsed.search || parsed.hash) throw bad("options after ? or # are not supported");
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    db: path === "" ? 0 : Number(path),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}
