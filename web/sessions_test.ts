import assert from "node:assert/strict";
import { acceptInvite, createInvite } from "../accounts/invites.ts";
import { removeMember, setRole, signUp, type User } from "../accounts/store.ts";
import { createSessionStore, sessionKeys, type SessionRecord } from "./sessions.ts";

const PASSWORD = "a long enough passphrase";
const MINUTE = 60_000;

/** A KV with one owner, and a clock the test moves. */
async function withOwner(
  fn: (kv: Deno.Kv, owner: User, clock: { now: Date; advance(minutes: number): void }) => Promise<
    void
  >,
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const clock = {
    now: new Date("2025-03-01T12:00:00Z"),
    advance(minutes: number) {
      this.now = new Date(this.now.getTime() + minutes * MINUTE);
    },
  };
  try {
    const { user } = await signUp(kv, {
      organisation: "A",
      email: "o@a.example",
      password: PASSWORD,
    });
    await fn(kv, user, clock);
  } finally {
    kv.close();
  }
}

async function dump(kv: Deno.Kv): Promise<string> {
  const all = await Array.fromAsync(kv.list({ prefix: [] }));
  return JSON.stringify(all.map((e) => [e.key, e.value]));
}

Deno.test("a session names its member, tenant, role and CSRF token; KV holds only its hash", () =>
  withOwner(async (kv, owner) => {
    const store = createSessionStore(kv);
    const { cookieValue, csrf } = await store.create(owner, owner.tenant);
    assert.match(cookieValue, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(csrf, cookieValue);
    assert.deepEqual(await store.principal(cookieValue), {
      tenant: owner.tenant,
      role: "owner",
      kind: "session",
      userId: owner.id,
      label: "o@a.example",
      csrf,
    });
    assert.equal((await dump(kv)).includes(cookieValue), false, "session id found in KV");
    for (const bad of ["", "x", cookieValue.slice(0, -1) + "!", cookieValue + "A"]) {
      assert.equal(await store.principal(bad), undefined, `"${bad}" signed in`);
    }
  }));

Deno.test("a session ends after 30 idle minutes; each request within them extends it", () =>
  withOwner(async (kv, owner, clock) => {
    const store = createSessionStore(kv, { now: () => clock.now });
    const { cookieValue } = await store.create(owner, owner.tenant);
    for (let i = 0; i < 4; i++) {
      clock.advance(29);
      assert.ok(await store.principal(cookieValue), `request ${i + 1} after 29 idle minutes`);
    }
    clock.advance(30);
    assert.equal(await store.principal(cookieValue), undefined);
    clock.advance(-30);
    assert.equal(await store.principal(cookieValue), undefined, "an ended session stays ended");
  }));

Deno.test("a session ends 12 hours after sign-in however active it is", () =>
  withOwner(async (kv, owner, clock) => {
    const store = createSessionStore(kv, { now: () => clock.now });
    const { cookieValue } = await store.create(owner, owner.tenant);
    for (let i = 0; i < 24; i++) {
      clock.advance(29);
      assert.ok(await store.principal(cookieValue), `after ${(i + 1) * 29} minutes`);
    }
    clock.advance(29); // 725 minutes: past 12 hours
    assert.equal(await store.principal(cookieValue), undefined);
  }));

Deno.test("lastSeenAt is written at most once a minute, with a KV expiry", () =>
  withOwner(async (kv, owner, clock) => {
    const store = createSessionStore(kv, { now: () => clock.now });
    const { cookieValue } = await store.create(owner, owner.tenant);
    const [entry] = await Array.fromAsync(kv.list<SessionRecord>({ prefix: ["sessions"] }));
    clock.advance(0.5);
    await store.principal(cookieValue);
    const same = await kv.get<SessionRecord>(entry.key);
    assert.equal(same.versionstamp, entry.versionstamp, "written within the minute");
    clock.advance(1);
    await store.principal(cookieValue);
    const touched = await kv.get<SessionRecord>(entry.key);
    assert.equal(touched.value?.lastSeenAt, clock.now.toISOString());
  }));

Deno.test("a role change applies to a live session at once; a removed member's session ends", () =>
  withOwner(async (kv, owner) => {
    const store = createSessionStore(kv);
    const { token } = await createInvite(kv, owner.tenant, "editor", owner.id);
    const ed = await acceptInvite(kv, token, { email: "ed@a.example", password: PASSWORD });
    const first = await store.create(ed, ed.tenant);
    const second = await store.create(ed, ed.tenant);
    const mine = await store.create(owner, owner.tenant);
    assert.equal((await store.principal(first.cookieValue))?.role, "editor");
    await setRole(kv, owner.tenant, ed.id, "viewer");
    assert.equal((await store.principal(first.cookieValue))?.role, "viewer");

    await removeMember(kv, owner.tenant, ed.id);
    assert.equal(await store.principal(first.cookieValue), undefined);
    // The first ended when it was used; revokeAllOf ends the one left.
    assert.equal(await store.revokeAllOf(ed.tenant, ed.id), 1);
    assert.equal(await store.principal(second.cookieValue), undefined);
    const left = await Array.fromAsync(
      kv.list({ prefix: sessionKeys.userSessions(ed.tenant, ed.id) }),
    );
    assert.deepEqual(left, []);
    assert.ok(await store.principal(mine.cookieValue), "other members keep their sessions");
  }));

Deno.test("revoke() ends one session: the member's other sessions keep working", () =>
  withOwner(async (kv, owner) => {
    const store = createSessionStore(kv);
    const laptop = await store.create(owner, owner.tenant);
    const phone = await store.create(owner, owner.tenant);
    await store.revoke(laptop.cookieValue);
    await store.revoke("not-a-session");
    assert.equal(await store.principal(laptop.cookieValue), undefined);
    assert.equal((await store.principal(phone.cookieValue))?.userId, owner.id);
    const sessions = await Array.fromAsync(kv.list({ prefix: ["sessions"] }));
    assert.equal(sessions.length, 1);
  }));
