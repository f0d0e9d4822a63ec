import { describe, expect, it } from "vitest";
import { bindErrorFor } from "./bind-error.ts";
import { HttpServerError } from "./errors.ts";

const failure = (code: string) => Object.assign(new Error(code), { code });

describe("bindErrorFor", () => {
  it.each([
    ["EADDRINUSE", "ERR_HTTP_ADDRESS_IN_USE"],
    ["EACCES", "ERR_HTTP_PORT_PRIVILEGED"],
    ["EADDRNOTAVAIL", "ERR_HTTP_ADDRESS_NOT_AVAILABLE"],
    ["EINVAL", "ERR_HTTP_BIND_FAILED"],
  ])("gives %s an HttpServerError with %s, over TCP, keeping the cause", (code, expected) => {
    const cause = failure(code);
    const error = bindErrorFor(cause, "127.0.0.1", 8080);
    expect(error).toBeInstanceOf(HttpServerError);
    expect(error).toMatchObject({ code: expected, cause });
  });

  it("says who likely holds a taken port", () => {
    expect(bindErrorFor(failure("EADDRINUSE"), "127.0.0.1", 8080).message).toContain(
      "TCP 127.0.0.1 port 8080 is already in use by another program",
    );
  });
});
