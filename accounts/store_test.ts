import assert from "node:assert/strict";
import { ConfigError } from "../etl/errors.ts";
import { acceptInvite, createInvite, INVITE_INVALID, INVITE_TTL_MS } from "./invites.ts";
import { verifyPassword } from "./password.ts";
import {
  EMAIL_TAKEN,
  findUserByEmail,
  getTenant,
  getUser,
  listMembers,
  removeMember,
  setRole,
  signUp,
} from "./store.ts";

const PASSWORD = "a long enough passphrase";

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

async function allEntries(kv: Deno.Kv): Promise<Deno.KvEntry<unknown>[]> {
  const out: Deno.KvEntry<unknown>[] = [];
  for await (const e of kv.list({ prefix: [] })) out.push(e);
  return out;
}

const isConfigError = (pattern: RegExp | string) => (e: unknown) =>
  e instanceof ConfigError &&
  (typeof pattern === "string" ? e.message === pattern : pattern.test(e.message));

Deno.test("signUp() creates a tenant and its owner under tenant-prefixed keys", () =>
  withKv(async (kv) => {
    const { tenant, user } = await signUp(kv, {
      organisation: " Clinic A ",
      email: " Ann@Clinic-A.example ",
      password: PASSWORD,
    });
    assert.match(tenant.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(tenant.name, "Clinic A");
    assert.deepEqual(await getTenant(kv, tenant.id), tenant);
    assert.equal(user.role, "owner");
    assert.equal(user.tenant, tenant.id);
    assert.equal(user.email, "ann@clinic-a.example");
    assert.equal("passwordHash" in user, false, "callers never see the hash");
    assert.deepEqual(await getUser(kv, tenant.id, user.id), user);
    assert.deepEqual(await findUserByEmail(kv, "ANN@clinic-a.example"), user);
    assert.deepEqual(await listMembers(kv, tenant.id), [user]);

    const entries = await allEntries(kv);
    for (const e of entries) {
      assert.ok(
        (e.key[0] === "tenants" && e.key[1] === tenant.id) || e.key[0] === "user_emails",
        `unexpected key ${JSON.stringify(e.key)}`,
      );
    }
    const stored = entries.find((e) => e.key[2] === "users")!.value as { passwordHash: string };
    assert.equal(JSON.stringify(entries).includes(PASSWORD), false, "no password in clear");
    assert.equal(await verifyPassword(PASSWORD, stored.passwordHash), true);
  }));

Deno.test("another tenant sees nothing of the first one's members", () =>
  withKv(async (kv) => {
    const a = await signUp(kv, { organisation: "A", email: "a@a.example", password: PASSWORD });
    const b = await signUp(kv, { organisation: "B", email: "b@b.example", password: PASSWORD });
    assert.notEqual(a.tenant.id, b.tenant.id);
    assert.equal(await getUser(kv, b.tenant.id, a.user.id), undefined);
    assert.deepEqual((await listMembers(kv, b.tenant.id)).map((u) => u.email), ["b@b.example"]);
    assert.equal(await setRole(kv, b.tenant.id, a.user.id, "viewer"), undefined);
    assert.equal(await removeMember(kv, b.tenant.id, a.user.id), false);
    assert.equal((await getUser(kv, a.tenant.id, a.user.id))?.role, "owner");
  }));

Deno.test("a second sign-up with the same email (any case) is refused and creates nothing", () =>
  withKv(async (kv) => {
    await signUp(kv, { organisation: "A", email: "ann@a.example", password: PASSWORD });
    const before = (await allEntries(kv)).length;
    await assert.rejects(
      () =>
        signUp(kv, {
          organisation: "Other",
          email: "ANN@a.example",
          password: "another passphrase",
        }),
      isConfigError(EMAIL_TAKEN),
    );
    assert.equal((await allEntries(kv)).length, before);
  }));

Deno.test("signUp() refuses a bad email, an empty organisation and a short password", () =>
  withKv(async (kv) => {
    await assert.rejects(
      () => signUp(kv, { organisation: "A", email: "not-an-email", password: PASSWORD }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith("email: ")),
    );
    await assert.rejects(
      () => signUp(kv, { organisation: "  ", email: "a@a.example", password: PASSWORD }),
      (e: unknown) =>
        e instanceof ConfigError && e.problems.some((p) => p.startsWith("organisation: ")),
    );
    await assert.rejects(
      () => signUp(kv, { organisation: "A", email: "a@a.example", password: "short" }),
      isConfigError(/password is too short: it has 5 characters and at least 12/),
    );
    assert.deepEqual(await allEntries(kv), []);
  }));

Deno.test("an invite is accepted once, with its role; the token is not stored in clear", () =>
  withKv(async (kv) => {
    const { tenant, user: owner } = await signUp(kv, {
      organisation: "A",
      email: "owner@a.example",
      password: PASSWORD,
    });
    const invite = await createInvite(kv, tenant.id, "editor", owner.id);
    assert.ok(invite.token.length >= 40);
    const dump = JSON.stringify(
      (await allEntries(kv)).map((e) => [e.key, e.value]),
      (_k, v) => typeof v === "bigint" ? String(v) : v,
    );
    assert.equal(dump.includes(invite.token), false, "token found in KV");

    const member = await acceptInvite(kv, invite.token, {
      email: "Ed@a.example",
      password: "editor passphrase",
    });
    assert.equal(member.role, "editor");
    assert.equal(member.tenant, tenant.id);
    assert.equal(member.email, "ed@a.example");
    assert.deepEqual((await listMembers(kv, tenant.id)).map((u) => u.role).sort(), [
      "editor",
      "owner",
    ]);

    await assert.rejects(
      () => acceptInvite(kv, invite.token, { email: "eve@a.example", password: PASSWORD }),
      isConfigError(INVITE_INVALID),
    );
    await assert.rejects(
      () => acceptInvite(kv, "made-up-token", { email: "eve@a.example", password: PASSWORD }),
      isConfigError(INVITE_INVALID),
    );
    assert.equal(await findUserByEmail(kv, "eve@a.example"), undefined);
  }));

Deno.test("concurrent acceptances of one invite make exactly one member", () =>
  withKv(async (kv) => {
    const { tenant, user } = await signUp(kv, {
      organisation: "A",
      email: "o@a.example",
      password: PASSWORD,
    });
    const { token } = await createInvite(kv, tenant.id, "viewer", user.id);
    const results = await Promise.allSettled(
      ["x@a.example", "y@a.example", "z@a.example"].map((email) =>
        acceptInvite(kv, token, { email, password: PASSWORD })
      ),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    assert.equal((await listMembers(kv, tenant.id)).length, 2);
  }));

Deno.test("an expired invite is refused; an email with an account cannot accept one", () =>
  withKv(async (kv) => {
    const start = new Date("2025-01-01T00:00:00Z");
    const { tenant, user } = await signUp(kv, {
      organisation: "A",
      email: "o@a.example",
      password: PASSWORD,
    }, start);
    const { token, expiresAt } = await createInvite(kv, tenant.id, "viewer", user.id, start);
    assert.equal(expiresAt, "2025-01-08T00:00:00.000Z");
    const late = new Date(start.getTime() + INVITE_TTL_MS);
    await assert.rejects(
      () => acceptInvite(kv, token, { email: "v@a.example", password: PASSWORD }, late),
      isConfigError(/invite link expired on 2025-01-08T00:00:00.000Z; ask an owner for a new one/),
    );
    const second = await createInvite(kv, tenant.id, "viewer", user.id);
    await assert.rejects(
      () => acceptInvite(kv, second.token, { email: "O@a.example", password: PASSWORD }),
      isConfigError(EMAIL_TAKEN),
    );
    // The refused attempt did not use the invite up.
    const v = await acceptInvite(kv, second.token, { email: "v@a.example", password: PASSWORD });
    assert.equal(v.role, "viewer");
  }));

Deno.test("only an owner of the tenant can invite", () =>
  withKv(async (kv) => {
    const a = await signUp(kv, { organisation: "A", email: "o@a.example", password: PASSWORD });
    const b = await signUp(kv, { organisation: "B", email: "o@b.example", password: PASSWORD });
    const { token } = await createInvite(kv, a.tenant.id, "viewer", a.user.id);
    const viewer = await acceptInvite(kv, token, { email: "v@a.example", password: PASSWORD });
    await assert.rejects(
      () => createInvite(kv, a.tenant.id, "owner", viewer.id),
      isConfigError(/Only an owner can invite members; .* is a viewer/),
    );
    await assert.rejects(
      () => createInvite(kv, a.tenant.id, "owner", b.user.id),
      isConfigError(/is not a member of this organisation/),
    );
  }));

Deno.test("the last owner can be neither demoted nor removed", () =>
  withKv(async (kv) => {
    const { tenant, user: owner } = await signUp(kv, {
      organisation: "A",
      email: "o@a.example",
      password: PASSWORD,
    });
    await assert.rejects(
      () => setRole(kv, tenant.id, owner.id, "editor"),
      isConfigError(
        "Cannot make o@a.example editor: they are the last owner of this organisation; make another member owner first",
      ),
    );
    await assert.rejects(
      () => removeMember(kv, tenant.id, owner.id),
      isConfigError(/Cannot remove o@a.example: they are the last owner/),
    );

    const { token } = await createInvite(kv, tenant.id, "viewer", owner.id);
    const second = await acceptInvite(kv, token, { email: "s@a.example", password: PASSWORD });
    assert.equal((await setRole(kv, tenant.id, second.id, "owner"))?.role, "owner");
    // Two owners demoting each other at once: one of them stays owner.
    const both = await Promise.allSettled([
      setRole(kv, tenant.id, owner.id, "viewer"),
      setRole(kv, tenant.id, second.id, "viewer"),
    ]);
    assert.equal(both.filter((r) => r.status === "fulfilled").length, 1);
    const owners = (await listMembers(kv, tenant.id)).filter((u) => u.role === "owner");
    assert.equal(owners.length, 1);

    const demoted = owners[0].id === owner.id ? second : owner;
    assert.equal(await removeMember(kv, tenant.id, demoted.id), true);
    assert.equal(await getUser(kv, tenant.id, demoted.id), undefined);
    assert.equal(await findUserByEmail(kv, demoted.email), undefined, "email is free again");
    await assert.rejects(() => setRole(kv, tenant.id, owners[0].id, "viewer"), ConfigError);
  }));
