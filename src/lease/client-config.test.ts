import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientConfigError, configHome, loadClientConfig } from "./client-config.ts";

let home: string;
const fileText = (name: string, extra = "") => `apiVersion: jumpstarter.dev/v1alpha1
kind: ClientConfig
metadata: {namespace: lab, name: ${name}}
endpoint: 127.0.0.1:8082
token: secret-${name}
tls: {ca: "", insecure: false}
drivers: {allow: ["jumpstarter_driver_*"], unsafe: false}
${extra}`;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "dutkit-clientcfg-"));
  await mkdir(join(home, "clients"));
  await writeFile(join(home, "clients", "ci.yaml"), fileText("ci", "leases: {acquisition_timeout: 10m}\n"));
  await writeFile(join(home, "clients", "default.yaml"), fileText("dflt"));
  await writeFile(join(home, "clients", "bad.yaml"), "apiVersion: jumpstarter.dev/v1alpha1\nkind: Nope\n");
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe("loadClientConfig", () => {
  it("reads the base dir from JMP_CLIENT_CONFIG_HOME or XDG_CONFIG_HOME", () => {
    expect(configHome({ JMP_CLIENT_CONFIG_HOME: "/x" })).toBe("/x");
    expect(configHome({ XDG_CONFIG_HOME: "/y" })).toBe("/y/jumpstarter");
  });

  it("loads --client by alias, with defaults and durations", async () => {
    const config = await loadClientConfig({ client: "ci" }, { JMP_CLIENT_CONFIG_HOME: home });
    expect(config).toMatchObject({
      alias: "ci",
      namespace: "lab",
      name: "ci",
      endpoint: "127.0.0.1:8082",
      token: "secret-ci",
      drivers: { allow: ["jumpstarter_driver_*"], unsafe: false },
      leases: { acquisitionTimeoutS: 600, dialTimeoutS: 60, retryTimeoutS: 300 },
    });
  });

  it("lets the file win and env fill gaps; JMP_DRIVERS_ALLOW wins", async () => {
    const env = { JMP_CLIENT_CONFIG_HOME: home, JMP_TOKEN: "env-token", JMP_DRIVERS_ALLOW: "a.*,UNSAFE" };
    const config = await loadClientConfig({ client: "ci" }, env);
    expect(config.token).toBe("secret-ci");
    expect(config.drivers).toEqual({ allow: ["a.*"], unsafe: true });
  });

  it("uses an env-only config when JMP_NAME and JMP_NAMESPACE are set", async () => {
    const config = await loadClientConfig(
      {},
      {
        JMP_CLIENT_CONFIG_HOME: home,
        JMP_NAME: "e",
        JMP_NAMESPACE: "n",
        JMP_ENDPOINT: "h:1",
        JMP_TOKEN: "t",
      },
    );
    expect(config).toMatchObject({ alias: "<env>", name: "e", namespace: "n", endpoint: "h:1", token: "t" });
  });

  it("falls back to current-client, then to the fallback alias", async () => {
    expect(
      (await loadClientConfig({ fallbackAlias: "default" }, { JMP_CLIENT_CONFIG_HOME: home })).name,
    ).toBe("dflt");
    await writeFile(
      join(home, "config.yaml"),
      "apiVersion: jumpstarter.dev/v1alpha1\nkind: UserConfig\nconfig: {current-client: ci}\n",
    );
    expect((await loadClientConfig({}, { JMP_CLIENT_CONFIG_HOME: home })).name).toBe("ci");
    await rm(join(home, "config.yaml"));
  });

  it("explains what is missing or wrong", async () => {
    await expect(loadClientConfig({}, { JMP_CLIENT_CONFIG_HOME: home })).rejects.toThrow(
      /no client config to lease with/,
    );
    await expect(loadClientConfig({ client: "nope" }, { JMP_CLIENT_CONFIG_HOME: home })).rejects.toThrow(
      /no client config at .*nope\.yaml/,
    );
    await expect(loadClientConfig({ client: "bad" }, { JMP_CLIENT_CONFIG_HOME: home })).rejects.toThrow(
      ClientConfigError,
    );
    await expect(loadClientConfig({ client: "a", clientConfig: "b" }, {})).rejects.toThrow(/not both/);
  });

  it("names the JMP_ variables that are missing when only some are set", async () => {
    const env = { JMP_CLIENT_CONFIG_HOME: home, JMP_ENDPOINT: "h:1" };
    await expect(loadClientConfig({}, env)).rejects.toThrow(
      "JMP_ENDPOINT is set but JMP_TOKEN, JMP_NAMESPACE and JMP_NAME are not: a client config from the environment needs all four (set JMP_TOKEN, JMP_NAMESPACE and JMP_NAME), or pass --client-config FILE",
    );
    await expect(loadClientConfig({}, { ...env, JMP_TOKEN: "t", JMP_NAME: "n" })).rejects.toThrow(
      "JMP_ENDPOINT, JMP_TOKEN and JMP_NAME are set but JMP_NAMESPACE is not",
    );
  });
});
