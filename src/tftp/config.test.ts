import { describe, expect, it } from "vitest";
import { bindErrorFor } from "./bind-error.ts";
import { resolveServerOptions } from "./config.ts";

describe("resolveServerOptions", () => {
  it("fills in defaults", () => {
    const options = resolveServerOptions({ root: "/srv/tftp" });
    expect(options).toMatchObject({
      host: "0.0.0.0",
      port: 69,
      blksizeMax: 65464,
      windowsizeMax: 64,
      write: { enabled: false, overwrite: false },
      retries: 5,
      timeoutMs: 1000,
    });
  });

  it.each([
    [{ root: "" }, /root is required/],
    [{ root: "/x", port: 70000 }, /port must be an integer from 0 to 65535/],
    [{ root: "/x", blksizeMax: 4 }, /blksizeMax must be an integer from 8 to 65464/],
    [{ root: "/x", windowsizeMax: 0 }, /windowsizeMax/],
    [{ root: "/x", timeoutMs: 1.5 }, /timeoutMs/],
    [{ root: "/x", onRead: "nope" as never }, /onRead must be a function/],
  ])("refuses %j", (options, message) => {
    expect(() => resolveServerOptions(options)).toThrow(
      expect.objectContaining({ code: expect.any(String) }),
    );
    expect(() => resolveServerOptions(options)).toThrow(message);
  });
});

describe("bindErrorFor", () => {
  it("explains how to get a privileged port", () => {
    const error = bindErrorFor(Object.assign(new Error("bind"), { code: "EACCES" }), "0.0.0.0", 69);
    expect(error.code).toBe("ERR_TFTP_PORT_PRIVILEGED");
    expect(error.message).toContain("setcap cap_net_bind_service=+ep");
    expect(error.message).toContain("port >= 1024");
  });

  it("says the port is taken", () => {
    const error = bindErrorFor(Object.assign(new Error("bind"), { code: "EADDRINUSE" }), "127.0.0.1", 6969);
    expect(error.code).toBe("ERR_TFTP_ADDRESS_IN_USE");
    expect(error.message).toContain("6969");
  });
});
