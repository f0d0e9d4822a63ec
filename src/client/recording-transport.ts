import type { Duplex } from "node:stream";
import type { OpenedResource } from "../core/resource.ts";
import type { ExporterReport, Transport } from "../core/transport.ts";
import type { JsonValue } from "../core/value.ts";
import { CallRecorder } from "./call-stats.ts";
import { indexReports } from "./tree.ts";

/**
 * Wraps a transport and counts every call by driver path and method, whichever transport is
 * underneath, so lease reports show the same numbers for local and remote boards.
 */
export class RecordingTransport implements Transport {
  readonly calls = new CallRecorder();
  private readonly paths = new Map<string, string>();

  constructor(private readonly inner: Transport) {}

  async report(): Promise<ExporterReport> {
    const report = await this.inner.report();
    const { paths } = indexReports(report.reports);
    report.reports.forEach((entry, index) => {
      if (!this.paths.has(entry.uuid)) this.paths.set(entry.uuid, paths[index]!);
    });
    return report;
  }

  async call(uuid: string, method: string, args: JsonValue[]): Promise<JsonValue> {
    const done = this.calls.start(this.pathOf(uuid), method);
    try {
      const result = await this.inner.call(uuid, method, args);
      done();
      return result;
    } catch (error) {
      throw done(error);
    }
  }

  async *streamingCall(uuid: string, method: string, args: JsonValue[]): AsyncGenerator<JsonValue> {
    const done = this.calls.start(this.pathOf(uuid), method);
    try {
      yield* this.inner.streamingCall(uuid, method, args);
      done();
    } catch (error) {
      throw done(error);
    }
  }

  async byteStream(uuid: string, method: string): Promise<Duplex> {
    const done = this.calls.start(this.pathOf(uuid), method);
    try {
      const stream = await this.inner.byteStream(uuid, method);
      done();
      return stream;
    } catch (error) {
      throw done(error);
    }
  }

  /** Not counted: the call that takes the handle (such as file_write) is. */
  resource(uuid: string, contentEncoding: string | null): Promise<OpenedResource> {
    return this.inner.resource(uuid, contentEncoding);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private pathOf(uuid: string): string {
    return this.paths.get(uuid) ?? uuid;
  }
}
