import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { assertPublicHost, isPrivateAddress } from "./guard.ts";

Deno.test("isPrivateAddress refuses private, loopback, link-local and special IPv4", () => {
  for (
    const ip of [
      "127.0.0.1",
      "127.255.0.9",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.254",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
    ]
  ) assert.equal(isPrivateAddress(ip), true, ip);
});

Deno.test("isPrivateAddress lets public IPv4 through", () => {
  for (const ip of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "93.184.215.14"]) {
    assert.equal(isPrivateAddress(ip), false, ip);
  }
});

Deno.test("isPrivateAddress refuses private IPv6, including IPv4 hidden in IPv6 forms", () => {
  for (
    const ip of [
      "::1",
      "::",
      "0:0:0:0:0:0:0:1",
      "fe80::1",
      "fe80::1%eth0",
      "fec0::1",
      "fc00::1",
      "fd12:3456::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      // How the URL parser writes [::ffff:127.0.0.1] and [::ffff:169.254.169.254].
      "::ffff:7f00:1",
      "::ffff:a9fe:a9fe",
      "::a9fe:a9fe",
      "64:ff9b::a9fe:a9fe",
      "2002:a00:1::1",
    ]
  ) assert.equal(isPrivateAddress(ip), true, ip);
});

Deno.test("isPrivateAddress lets public IPv6 through", () => {
  for (
    const ip of ["2001:4860::8888", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"]
  ) {
    assert.equal(isPrivateAddress(ip), false, ip);
  }
});

Deno.test("isPrivateAddress refuses what is not an address", () => {
  assert.equal(isPrivateAddress("localhost"), true);
  assert.equal(isPrivateAddress(""), true);
});

Deno.test("assertPublicHost refuses localhost and loopback literals unless allowed", async () => {
  for (const host of ["localhost", "127.0.0.1", "[::1]", "[::ffff:7f00:1]"]) {
    await assert.rejects(
      () => assertPublicHost(host, false),
      (err: Error) => {
        assert.ok(err instanceof ConfigError, host);
        assert.match(err.message, /private or local network address/);
        assert.match(err.message, /use a public host name/);
        return true;
      },
    );
  }
  assert.deepEqual(await assertPublicHost("127.0.0.1", true), ["127.0.0.1"]);
  assert.ok((await assertPublicHost("localhost", true)).length > 0);
});

Deno.test("assertPublicHost accepts a public address literal without a DNS lookup", async () => {
  assert.deepEqual(await assertPublicHost("8.8.8.8", false), ["8.8.8.8"]);
  assert.deepEqual(await assertPublicHost("[2001:4860::8888]", false), ["2001:4860::8888"]);
});

Deno.test("assertPublicHost says when a host name does not exist", async () => {
  await assert.rejects(
    () => assertPublicHost("no-such-host.invalid", false),
    (err: Error) => {
      assert.ok(err instanceof ConfigError || err.name === "RetriableError");
      assert.match(err.message, /no-such-host\.invalid/);
      return true;
    },
  );
});
