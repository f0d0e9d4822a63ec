import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { formatSessionAddress, grpcTarget, parseSessionAddress } from "./address.ts";

describe("parseSessionAddress", () => {
  it("reads host:port with a port 1-65535 as TCP", () => {
    expect(parseSessionAddress("127.0.0.1:8080")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 8080 });
    expect(parseSessionAddress("[::1]:65535")).toEqual({ kind: "tcp", host: "[::1]", port: 65535 });
    expect(parseSessionAddress("exporter.lab:1")).toEqual({ kind: "tcp", host: "exporter.lab", port: 1 });
  });

  it("reads anything else as a unix socket path, made absolute", () => {
    expect(parseSessionAddress("/run/jumpstarter/socket")).toEqual({
      kind: "unix",
      path: "/run/jumpstarter/socket",
    });
    expect(parseSessionAddress("host:0")).toEqual({ kind: "unix", path: resolve("host:0") });
    expect(parseSessionAddress("host:70000")).toEqual({ kind: "unix", path: resolve("host:70000") });
    expect(parseSessionAddress("relative.sock")).toEqual({ kind: "unix", path: resolve("relative.sock") });
  });

  it("allows port 0 only for listeners", () => {
    expect(parseSessionAddress("127.0.0.1:0", { allowPortZero: true })).toEqual({
      kind: "tcp",
      host: "127.0.0.1",
      port: 0,
    });
  });

  it("takes unix: targets as paths, even when they look like host:port", () => {
    expect(parseSessionAddress("unix:/tmp/a:80")).toEqual({ kind: "unix", path: "/tmp/a:80" });
    expect(parseSessionAddress("unix:///tmp/s.sock")).toEqual({ kind: "unix", path: "/tmp/s.sock" });
  });

  it("rejects an empty address with a fix", () => {
    expect(() => parseSessionAddress(" ")).toThrow(/give a unix socket path or host:port/);
  });
});

describe("formatting", () => {
  it("gives JUMPSTARTER_HOST form and grpc targets", () => {
    const unix = parseSessionAddress("/tmp/s.sock");
    const tcp = parseSessionAddress("localhost:1234");
    expect(formatSessionAddress(unix)).toBe("/tmp/s.sock");
    expect(grpcTarget(unix)).toBe("unix:/tmp/s.sock");
    expect(formatSessionAddress(tcp)).toBe("localhost:1234");
    expect(grpcTarget(tcp)).toBe("localhost:1234");
  });
});
