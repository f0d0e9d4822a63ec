import { describe, expect, test } from "vitest";
import {
  DeadlineExceededError,
  driverErrorForStatus,
  GrpcStatus,
  InvalidArgumentError,
  NotFoundError,
  statusOfThrown,
  UnknownError,
} from "./errors.ts";

describe("driver errors", () => {
  test("each class has a stable code and its gRPC status", () => {
    const error = new NotFoundError("gone");
    expect(error.code).toBe("ERR_DUTKIT_NOT_FOUND");
    expect(error.grpcCode).toBe(5);
    expect(error.name).toBe("NotFoundError");
  });

  test("every status the protocol uses maps back to its class", () => {
    for (const [name, code] of Object.entries(GrpcStatus)) {
      expect(driverErrorForStatus(code, "x").status).toBe(name);
    }
    expect(driverErrorForStatus(99, "x")).toBeInstanceOf(UnknownError);
  });

  test("thrown errors map like the reference exporter's", () => {
    expect(statusOfThrown(new DeadlineExceededError("t"))).toBe("DEADLINE_EXCEEDED");
    expect(statusOfThrown(new InvalidArgumentError("v"))).toBe("INVALID_ARGUMENT");
    expect(statusOfThrown(new TypeError("bad"))).toBe("INVALID_ARGUMENT");
    expect(statusOfThrown(Object.assign(new Error("t"), { code: "ETIMEDOUT" }))).toBe("DEADLINE_EXCEEDED");
    expect(statusOfThrown(Object.assign(new Error("c"), { code: "ECONNREFUSED" }))).toBe("UNAVAILABLE");
    expect(statusOfThrown(Object.assign(new Error("e"), { code: "EACCES" }))).toBe("INTERNAL");
    expect(statusOfThrown(new Error("plain"))).toBe("UNKNOWN");
    expect(statusOfThrown("a string")).toBe("UNKNOWN");
  });
});
