import { describe, expect, it } from "vitest";
import { type BindTarget, describeBindFailure } from "./bind-failure.ts";

const failure = (code: string) => Object.assign(new Error(code), { code });
const udp: BindTarget = { transport: "UDP", host: "0.0.0.0", port: 69, likelyHolder: "(tftpd-hpa?)" };
const tcp: BindTarget = { transport: "TCP", host: "::", port: 80, likelyHolder: "by another program" };

describe("describeBindFailure", () => {
  it.each([
    ["EADDRINUSE", "address-in-use"],
    ["EACCES", "port-privileged"],
    ["EPERM", "port-privileged"],
    ["EADDRNOTAVAIL", "address-not-available"],
    ["ENOTFOUND", "address-not-available"],
    ["EAI_AGAIN", "address-not-available"],
    ["EINVAL", "bind-failed"],
  ])("reads %s as %s, for UDP and TCP alike", (code, kind) => {
    expect(describeBindFailure(failure(code), udp).kind).toBe(kind);
    expect(describeBindFailure(failure(code), tcp).kind).toBe(kind);
  });

  it("names the transport, the address and who likely holds a taken port", () => {
    expect(describeBindFailure(failure("EADDRINUSE"), udp).message).toBe(
      "UDP 0.0.0.0 port 69 is already in use (tftpd-hpa?): stop it, or choose another port (port 0 picks a free one)",
    );
    expect(describeBindFailure(failure("EADDRINUSE"), tcp).message).toMatch(
      /^TCP :: port 80 is already in use by another program: stop it/,
    );
  });

  it("says how to get a privileged port, and what to do with a foreign address", () => {
    expect(describeBindFailure(failure("EACCES"), tcp).message).toBe(
      "Binding TCP :: port 80 needs privilege: run as root, or grant it with " +
        "`sudo setcap cap_net_bind_service=+ep $(which node)`, or use a port >= 1024",
    );
    expect(describeBindFailure(failure("ENOTFOUND"), { ...udp, host: "nowhere.invalid" }).message).toBe(
      "Cannot listen on nowhere.invalid: it is not an address of this machine; use one of its addresses, 0.0.0.0 or ::",
    );
  });

  it("keeps an unknown cause in the message, code or not", () => {
    expect(describeBindFailure(failure("EINVAL"), udp).message).toBe(
      "Cannot listen on UDP 0.0.0.0 port 69: EINVAL",
    );
    expect(describeBindFailure("boom", tcp).message).toBe("Cannot listen on TCP :: port 80: boom");
  });
});
