import { describe, expect, it } from "vitest";
import { bindErrorFor } from "./bind-error.ts";

const failure = (code: string) => Object.assign(new Error(code), { code });

describe("bindErrorFor", () => {
  it("says how to get past a taken port", () => {
    const error = bindErrorFor(failure("EADDRINUSE"), "0.0.0.0", 69);
    expect(error.code).toBe("ERR_TFTP_ADDRESS_IN_USE");
    expect(error.message).toMatch(/UDP 0\.0\.0\.0 port 69 is already in use.*port 0 picks a free one/);
  });

  it.each(["EACCES", "EPERM"])("says how to grant a privileged port on %s", (code) => {
    const error = bindErrorFor(failure(code), "::", 69);
    expect(error.code).toBe("ERR_TFTP_PORT_PRIVILEGED");
    expect(error.message).toContain("sudo setcap cap_net_bind_service=+ep $(which node)");
    expect(error.message).toContain("port >= 1024");
    expect(error.cause).toMatchObject({ code });
  });

  it("names a host that is not ours (or does not resolve), and keeps unknown causes", () => {
    expect(bindErrorFor(failure("EADDRNOTAVAIL"), "10.9.9.9", 69).code).toBe(
      "ERR_TFTP_ADDRESS_NOT_AVAILABLE",
    );
    expect(bindErrorFor(failure("ENOTFOUND"), "nowhere.invalid", 69).code).toBe(
      "ERR_TFTP_ADDRESS_NOT_AVAILABLE",
    );
    expect(bindErrorFor(failure("EINVAL"), "x", 1).message).toBe("Cannot listen on UDP x port 1: EINVAL");
  });
});
