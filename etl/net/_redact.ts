/**
 * Keeping secrets out of what users and logs see: URLs with credential query parameters masked
 * (messages) or removed (refs, cursors), and secret values scrubbed from any text.
 * @module
 */

// Query parameters that usually carry a credential, masked in every URL a message shows.
const SECRET_PARAMS = new Set([
  "api_key",
  "apikey",
  "api-key",
  "key",
  "token",
  "access_token",
  "id_token",
  "refresh_token",
  "auth",
  "password",
  "pwd",
  "secret",
  "client_secret",
  "signature",
  "sig",
  "code",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
]);

const MASK = "***";

/** Masks and removes the secrets of one source's credentials. */
export class Redactor {
  readonly #values: string[];
  readonly #param: string | undefined;

  /**
   * @param secrets secret values (tokens, passwords, keys, encoded credentials)
   * @param param the query parameter that carries the API key, if any
   */
  constructor(secrets: string[], param?: string) {
    const all = secrets.flatMap((s) => [s, encodeURIComponent(s)]);
    // Very short values would mangle ordinary text; longest first so none is left half-masked.
    this.#values = [...new Set(all.filter((s) => s.length >= 3))].sort((a, b) =>
      b.length - a.length
    );
    this.#param = param;
  }

  /** A URL for messages: credentials in the query masked, user info dropped. */
  show(url: string | URL): string {
    return this.#rewrite(
      url,
      (name, value) =>
        SECRET_PARAMS.has(name.toLowerCase()) || this.#isSecret(name, value) ? MASK : value,
    );
  }

  /** A URL for refs and cursors: the API key parameter and secret-valued parameters removed. */
  strip(url: string | URL): string {
    return this.#rewrite(url, (name, value) => this.#isSecret(name, value) ? undefined : value);
  }

  /** `text` with every secret value replaced by `***`. */
  text(text: string): string {
    let out = text;
    for (const value of this.#values) out = out.replaceAll(value, MASK);
    return out;
  }

  #isSecret(name: string, value: string): boolean {
    return name === this.#param || (value.length > 0 && this.#values.includes(value));
  }

  #rewrite(url: string | URL, keep: (name: string, value: string) => string | undefined): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return this.text(String(url));
    }
    parsed.username = "";
    parsed.password = "";
    // Raw segments are kept as they were sent: servers may tell %20 from + in opaque tokens.
    const segments = parsed.search.slice(1).split("&").filter((seg) => seg !== "");
    const kept = segments.flatMap((seg) => {
      const eq = seg.indexOf("=");
      const [name, value] = eq === -1 ? [seg, ""] : [seg.slice(0, eq), seg.slice(eq + 1)];
      const v = keep(decode(name), decode(value));
      if (v === undefined) return [];
      return v === MASK ? [`${name}=${MASK}`] : [seg];
    });
    if (kept.length !== segments.length || kept.some((seg, i) => seg !== segments[i])) {
      parsed.search = kept.join("&");
    }
    return this.text(parsed.href);
  }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replaceAll("+", " "));
  } catch {
    return part;
  }
}
