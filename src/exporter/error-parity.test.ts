// A driver error reaches the test as the same class, code and fields in-process and over gRPC.
import { type Duplex, PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import type { DriverClient } from "../client/client.ts";
import { ExporterUnreachableError } from "../client/grpc/errors.ts";
import { Driver, type MethodTable } from "../core/driver.ts";
import {
  DeadlineExceededError,
  type DriverError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  UnavailableError,
  UnknownError,
} from "../core/errors.ts";
import { registerDriverType } from "../core/registry.ts";
import { registeredDriverErrorCodes, wireErrorOf } from "../core/wire-errors.ts";
import type { UbootConsoleClient } from "../drivers/uboot/client.ts";
import {
  UbootBadOutputError,
  UbootCommandError,
  UbootNoPromptError,
  UbootTimeoutError,
} from "../drivers/uboot/errors.ts";
import { ExpectTimeoutError } from "../expect/errors.ts";
import { exporterConfig, openBoard, type TestBoard, type Wire } from "../testing/open-board.ts";

/** One instance of every class the registry rebuilds, and of every status class. */
const samples: Record<string, () => DriverError> = {
  ERR_DUTKIT_NOT_FOUND: () => new NotFoundError("no such thing"),
  ERR_DUTKIT_NOT_IMPLEMENTED: () => new NotImplementedError("not here"),
  ERR_DUTKIT_INVALID_ARGUMENT: () => new InvalidArgumentError("bad value"),
  ERR_DUTKIT_DEADLINE_EXCEEDED: () => new DeadlineExceededError("too slow"),
  ERR_DUTKIT_UNAVAILABLE: () => new UnavailableError("gone away"),
  ERR_DUTKIT_INTERNAL: () => new InternalError("EIO"),
  ERR_DUTKIT_UNKNOWN: () => new UnknownError("no idea"),
  ERR_DUTKIT_FAILED_PRECONDITION: () => new FailedPreconditionError("not ready"),
  ERR_DUTKIT_EXPORTER_UNREACHABLE: () => new ExporterUnreachableError("nobody home"),
  ERR_DUTKIT_UBOOT_COMMAND_FAILED: () =>
    new UbootCommandError('printenv "x"', 1, '## Error: "x" not defined ✓'),
  ERR_DUTKIT_UBOOT_TIMEOUT: () => new UbootTimeoutError("no prompt within 5 s"),
  ERR_DUTKIT_UBOOT_BAD_OUTPUT: () => new UbootBadOutputError("Unknown command 'x'", "unknown_command"),
  ERR_DUTKIT_UBOOT_NO_PROMPT: () => new UbootNoPromptError("autoboot did not stop"),
};

/** Throws the sample of the code it is given; as U-Boot's console, fails its checked command. */
class ErrorProbe extends Driver {
  static override readonly clientId = "dutkit.UbootConsoleClient";
  static override readonly methods: MethodTable = {
    fail: { kind: "unary", args: z.tuple([z.string().describe("code")]) },
    failStream: { kind: "stream", args: z.tuple([z.string().describe("code")]) },
    run_command_checked: { kind: "unary", args: z.tuple([z.string()]).rest(z.unknown()) },
    failCoded: { kind: "unary" },
    unplugged: { kind: "bytes" },
    unavailable: { kind: "bytes" },
    commandFailed: { kind: "bytes" },
  };
  fail(code: string): never {
    throw samples[code]!();
  }
  // biome-ignore lint/correctness/useYield: it fails before its first item, as a failing stream does.
  async *failStream(code: string): AsyncGenerator<never> {
    throw samples[code]!();
  }
  run_command_checked(cmd: string): never {
    throw new UbootCommandError(cmd, 2, "out\nmore out");
  }
  failCoded(): never {
    throw new ExpectTimeoutError(5, { patterns: ["=> "], buffer: "booting" });
  }
  unplugged(): Duplex {
    return failsOnFirstWrite(
      Object.assign(new Error("the port disappeared (device unplugged?)"), { code: "EIO" }),
    );
  }
  unavailable(): Duplex {
    return failsOnFirstWrite(new UnavailableError("the console went away"));
  }
  commandFailed(): Duplex {
    return failsOnFirstWrite(new UbootCommandError("boot", 1, "no kernel"));
  }
}

/** A driver stream that echoes one chunk, then fails as a device does when it goes away. */
function failsOnFirstWrite(error: Error): Duplex {
  const stream = new PassThrough();
  stream.once("data", () => setImmediate(() => stream.destroy(error)));
  return stream;
}

registerDriverType({
  id: "ErrorParityProbe",
  summary: "throws the error it is asked for",
  config: z.strictObject({}),
  create: (_config, { init }) => new ErrorProbe(init),
});

function expectSameError(received: unknown, sent: DriverError, method: string) {
  expect(received).toBeInstanceOf(sent.constructor);
  const error = received as DriverError;
  expect(error.code).toBe(sent.code);
  expect(error.grpcCode).toBe(sent.grpcCode);
  expect(wireErrorOf(error).fields).toEqual(wireErrorOf(sent).fields);
  expect(error.message).toBe(`probe.${method}() failed: ${sent.message}`);
}

test("every registered code has a sample here", () => {
  expect(Object.keys(samples)).toEqual(expect.arrayContaining(registeredDriverErrorCodes()));
});

describe.each<Wire>(["in-process", "grpc"])("driver errors %s", (wire) => {
  let board: TestBoard;
  beforeAll(async () => {
    board = await openBoard(exporterConfig({ probe: { type: "ErrorParityProbe" } }), wire);
  });
  afterAll(() => board.close());
  const probe = () => board.client.probe as DriverClient;

  test.each(Object.keys(samples))(
    "%s arrives as its class with its fields from a unary call",
    async (code) => {
      const received = await probe()
        .call("fail", code)
        .catch((e: unknown) => e);
      expectSameError(received, samples[code]!(), "fail");
    },
  );

  test.each(Object.keys(samples))(
    "%s arrives as its class with its fields from a streaming call",
    async (code) => {
      const received = await (async () => {
        for await (const _ of probe().streamingCall("failStream", code));
      })().catch((e: unknown) => e);
      expectSameError(received, samples[code]!(), "failStream");
    },
  );

  test.each([
    ["unplugged", UnknownError, "ERR_DUTKIT_UNKNOWN", undefined],
    ["unavailable", UnavailableError, "ERR_DUTKIT_UNAVAILABLE", undefined],
    [
      "commandFailed",
      UbootCommandError,
      "ERR_DUTKIT_UBOOT_COMMAND_FAILED",
      { exitCode: 1, output: "no kernel" },
    ],
  ] as const)(
    "a byte stream that fails (%s) fails with the typed error",
    async (method, cls, code, fields) => {
      const stream = await probe().byteStream(method);
      const failed = new Promise<unknown>((resolve) => stream.once("error", resolve));
      stream.on("data", () => {});
      stream.write("x");
      const error = await failed;
      expect(error).toBeInstanceOf(cls);
      expect(error).toMatchObject({ code, ...fields });
    },
  );

  test("a coded dutkit error that is not a driver error keeps its code on the class of its status", async () => {
    const received = await probe()
      .call("failCoded")
      .catch((e: unknown) => e);
    expect(received).toBeInstanceOf(UnknownError);
    expect(received).toMatchObject({ code: "ERR_DUTKIT_EXPECT_TIMEOUT", grpcCode: 2 });
    expect(String(received)).toMatch(/probe\.failCoded\(\) failed: expect timed out after 5 ms/);
  });

  test("the U-Boot client's runCommandChecked throws UbootCommandError with command, exit code and output", async () => {
    const uboot = board.client.probe as UbootConsoleClient;
    const failed = await uboot.runCommandChecked("test 1 = 2").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(UbootCommandError);
    expect(failed).toMatchObject({
      code: "ERR_DUTKIT_UBOOT_COMMAND_FAILED",
      command: "test 1 = 2",
      exitCode: 2,
      output: "out\nmore out",
    });
    expect(String(failed)).toMatch(/exit code 2; its output:\nout\nmore out/);
  });
});
