import { describe, expectTypeOf, test } from "vitest";
import { type ClientTreeOf, defineExporter } from "../../config/define.ts";
import type { HttpServerClient } from "../http/index.ts";
import type { StorageClient } from "../storage/index.ts";
import type { TftpServerClient } from "./index.ts";

const exporter = defineExporter({
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ExporterConfig",
  metadata: { name: "boot-servers" },
  export: {
    tftp: { type: "Tftp", config: { port: 0 } },
    upstream: { type: "jumpstarter_driver_tftp.driver.Tftp" },
    http: { type: "jumpstarter_driver_http.driver.HttpServer", config: { port: 0 } },
  },
});
type Tree = ClientTreeOf<typeof exporter>;

describe("boot-file server client types", () => {
  test("Tftp and HttpServer entries get their clients, with a typed storage", () => {
    expectTypeOf<Tree["tftp"]>().toEqualTypeOf<TftpServerClient>();
    expectTypeOf<Tree["upstream"]>().toEqualTypeOf<TftpServerClient>();
    expectTypeOf<Tree["http"]>().toEqualTypeOf<HttpServerClient>();
    expectTypeOf<Tree["tftp"]["storage"]>().toEqualTypeOf<StorageClient>();
    expectTypeOf<Tree["http"]["putFile"]>().returns.toEqualTypeOf<Promise<string>>();
  });
});
