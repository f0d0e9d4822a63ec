import { status as GrpcCode, Metadata, type ServiceError } from "@grpc/grpc-js";
import { describe, expect, test } from "vitest";
import {
  DeadlineExceededError,
  driverErrorForStatus,
  GrpcStatus,
  NotFoundError,
  UnknownError,
} from "../../core/errors.ts";
import { ERROR_CODE_METADATA_KEY, ERROR_FIELDS_METADATA_KEY } from "../../core/wire-errors.ts";
import { UbootCommandError } from "../../drivers/uboot/errors.ts";
import { serviceStatusOf } from "../../exporter/grpc/service-error.ts";
import { errorFromServiceError, PassphraseRejectedError } from "./errors.ts";

function serviceError(code: number, details: string, metadata = new Metadata()): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

describe("errorFromServiceError", () => {
  test("a status without dutkit metadata (Jumpstarter's Python exporter) maps by status, as before", () => {
    for (const [name, code] of Object.entries(GrpcStatus)) {
      const error = errorFromServiceError(serviceError(code, "from python"), "host:1");
      const sameAsBefore = driverErrorForStatus(code, "from python");
      expect(error.constructor, name).toBe(sameAsBefore.constructor);
      expect(error).toMatchObject({ code: sameAsBefore.code, message: "from python" });
    }
    expect(errorFromServiceError(serviceError(GrpcCode.ABORTED, "x"), "h:1")).toBeInstanceOf(UnknownError);
    expect(errorFromServiceError(serviceError(GrpcCode.UNAUTHENTICATED, "x"), "h:1")).toBeInstanceOf(
      PassphraseRejectedError,
    );
  });

  test("a code this side does not know (a newer peer's) keeps its string on the status class", () => {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA_KEY, "ERR_DUTKIT_FROM_THE_FUTURE");
    const error = errorFromServiceError(serviceError(GrpcCode.DEADLINE_EXCEEDED, "later", metadata), "h:1");
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ code: "ERR_DUTKIT_FROM_THE_FUTURE", message: "later" });
  });

  test("fields that do not fit the class, or a status that is not the class's, give the status class", () => {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA_KEY, "ERR_DUTKIT_UBOOT_COMMAND_FAILED");
    metadata.set(ERROR_FIELDS_METADATA_KEY, Buffer.from('{"command":1}'));
    const badFields = errorFromServiceError(serviceError(GrpcCode.UNKNOWN, "m", metadata), "h:1");
    expect(badFields).not.toBeInstanceOf(UbootCommandError);
    expect(badFields).toMatchObject({ code: "ERR_DUTKIT_UBOOT_COMMAND_FAILED" });
    const sent = serviceStatusOf(new UbootCommandError("c", 1, "o"));
    const wrongStatus = errorFromServiceError(serviceError(GrpcCode.NOT_FOUND, "m", sent.metadata), "h:1");
    expect(wrongStatus).toBeInstanceOf(NotFoundError);
  });
});

describe("serviceStatusOf", () => {
  test("the status and message are what Jumpstarter's client reads; code and fields ride in the trailers", () => {
    const status = serviceStatusOf(new UbootCommandError("c", 1, "o"));
    expect(status).toMatchObject({
      code: GrpcCode.UNKNOWN,
      details: expect.stringMatching(/^U-Boot command "c"/),
    });
    expect(status.metadata?.get(ERROR_CODE_METADATA_KEY)).toEqual(["ERR_DUTKIT_UBOOT_COMMAND_FAILED"]);
    const [fields] = status.metadata?.get(ERROR_FIELDS_METADATA_KEY) ?? [];
    expect(JSON.parse(String(fields))).toEqual({ command: "c", exitCode: 1, output: "o" });
    expect(serviceStatusOf(new Error("plain"))).toEqual({ code: GrpcCode.UNKNOWN, details: "plain" });
  });

  test("a long text field is cut to its tail so the trailers stay under 8 KiB; the class survives", () => {
    const output = `${"x".repeat(3000)}the last line`;
    const status = serviceStatusOf(new UbootCommandError("c", 1, output));
    expect(status.metadata?.get(ERROR_CODE_METADATA_KEY)).toEqual(["ERR_DUTKIT_UBOOT_COMMAND_FAILED"]);
    const [sent] = status.metadata?.get(ERROR_FIELDS_METADATA_KEY) ?? [];
    const fields = JSON.parse(String(sent)) as { command: string; exitCode: number; output: string };
    expect(fields).toMatchObject({ command: "c", exitCode: 1 });
    expect(fields.output).toMatch(/^\[\d+ characters cut\]x+the last line$/);
    const cut = Number(/^\[(\d+)/.exec(fields.output)![1]);
    expect(fields.output.length - `[${cut} characters cut]`.length + cut).toBe(output.length);
    const trailerBytes =
      Math.ceil(Buffer.byteLength(String(sent)) / 3) * 4 + Buffer.byteLength(status.details);
    expect(trailerBytes).toBeLessThanOrEqual(6 * 1024);
  });

  test("fields stay home when the message alone fills the trailers; the code still goes", () => {
    const status = serviceStatusOf(new UbootCommandError("c", 1, "x".repeat(7000)));
    expect(status.metadata?.get(ERROR_CODE_METADATA_KEY)).toEqual(["ERR_DUTKIT_UBOOT_COMMAND_FAILED"]);
    expect(status.metadata?.get(ERROR_FIELDS_METADATA_KEY)).toEqual([]);
  });
});
