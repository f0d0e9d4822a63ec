import { describe, expect, it } from "vitest";
import { parseControllerConfig } from "./config.ts";

const good = [
  "apiVersion: dutkit.dev/v1alpha1",
  "kind: ControllerConfig",
  "metadata: {namespace: lab}",
  "clients:",
  "  ci: {token: token-client-ci-0123}",
  "exporters:",
  "  board: {token: token-exporter-board-0123, labels: {board: mock}}",
];

describe("parseControllerConfig", () => {
  it("reads a good file", () => {
    const config = parseControllerConfig(`${good.join("\n")}\n`, "lab.yaml");
    expect(config.namespace).toBe("lab");
    expect(config.exporters).toMatchObject([{ name: "board", labels: { board: "mock" } }]);
  });

  it("locates every problem at file:line:column with what was expected and the fix", () => {
    const text = `${[...good.slice(0, 4), "  ci: {token: 42}", ...good.slice(5), "listn: 127.0.0.1:1"].join("\n")}\n`;
    let message = "";
    try {
      parseControllerConfig(text, "lab.yaml");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "lab.yaml: 2 problems in the controller config:",
      "  lab.yaml:5:15 clients.ci.token: wrong type: got number 42 — expected a string — fix: put the value in quotes to make it a string",
      expect.stringMatching(
        /^ {2}lab\.yaml:8:1 listn: unknown field "listn" — expected one of the fields .* — fix: did you mean "listen"\? otherwise remove it$/,
      ),
      'See "dutkit controller --help" for the file format',
    ]);
    expect(() => parseControllerConfig(text, "lab.yaml")).toThrow(
      expect.objectContaining({ code: "ERR_DUTKIT_CONTROLLER_CONFIG" }),
    );
  });

  it("broken YAML is located too", () => {
    expect(() => parseControllerConfig("clients: [\n", "lab.yaml")).toThrow(
      /lab\.yaml:\d+:\d+ \(document\): invalid YAML/,
    );
  });
});
