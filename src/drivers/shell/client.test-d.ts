import { describe, expectTypeOf, test } from "vitest";
import { type ClientTreeOf, defineExporter } from "../../config/define.ts";
import type { MethodNamesOf, ShellClient, ShellClientBase, ShellMethodShortcut } from "./index.ts";

const exporter = defineExporter({
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ExporterConfig",
  metadata: { name: "shell-types" },
  export: {
    shell: {
      type: "Shell",
      config: {
        methods: { flash: "flash.sh", reboot: { command: "reboot", description: "Reboot" }, run: "x" },
      },
    },
    upstream: { type: "jumpstarter_driver_shell.driver.Shell", config: { methods: { hello: "echo hi" } } },
  },
});
type Tree = ClientTreeOf<typeof exporter>;

describe("Shell client types", () => {
  test("each configured method is a typed shortcut", () => {
    expectTypeOf<Tree["shell"]["flash"]>().toEqualTypeOf<ShellMethodShortcut>();
    expectTypeOf<Tree["shell"]["reboot"]>().toEqualTypeOf<ShellMethodShortcut>();
    expectTypeOf<Tree["upstream"]["hello"]>().toEqualTypeOf<ShellMethodShortcut>();
    expectTypeOf<Tree["shell"]>().toExtend<ShellClientBase>();
  });

  test("methods that are not configured are not there", () => {
    expectTypeOf<Tree["shell"]>().not.toHaveProperty("hello");
    expectTypeOf<Tree["upstream"]>().not.toHaveProperty("flash");
  });

  test("a method named like a client member leaves the member alone", () => {
    expectTypeOf<Tree["shell"]["run"]>().toEqualTypeOf<ShellClientBase["run"]>();
  });

  test("method names come from the config's methods map", () => {
    expectTypeOf<
      MethodNamesOf<{ readonly methods: { readonly a: "x"; readonly b: { command: "y" } } }>
    >().toEqualTypeOf<"a" | "b">();
    expectTypeOf<MethodNamesOf<unknown>>().toEqualTypeOf<string>();
  });

  test("without known names any identifier is a shortcut", () => {
    expectTypeOf<ShellClient["anything"]>().toEqualTypeOf<ShellMethodShortcut>();
    expectTypeOf<ShellClient["uuid"]>().toExtend<string>();
  });
});
