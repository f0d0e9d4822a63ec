// `dutkit controller` as Jumpstarter's tools meet it: a child process serving TLS on 127.0.0.1
// with a self-signed certificate (SAN IP:127.0.0.1) made here by openssl, JWT-shaped tokens, and
// exporters (dutkit's and Jumpstarter's `jmp run`) registered with it as child processes.
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { USAGE_SPOOL_ENV } from "../../../src/usage/events.ts";
import { dutkitCommand, peerEnv, REPO, runToEnd, venvBin } from "./peer.ts";

/** peerEnv for both implementations' processes, without the outer run's lease-usage spool. */
export function labEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = peerEnv(home, extra);
  delete env[USAGE_SPOOL_ENV];
  return env;
}

export interface Daemon {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output from offset `from` on, bounded. */
  waitFor(pattern: RegExp, what: string, timeoutMs: number, from?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Starts a long-running peer; its stdout and stderr are collected for waits and failure messages. */
export function startDaemon(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = REPO): Daemon {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const collect = (d: Buffer) => {
    text += d;
    child.emit("output");
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => text,
    waitFor(pattern, what, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const done = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          child.off("output", check);
          child.off("exit", onExit);
          if (error) reject(error);
          else resolve(match!);
        };
        const check = () => {
          const match = text.slice(from).match(pattern);
          if (match) done(undefined, match);
        };
        const onExit = (code: number | null, signal: string | null) =>
          done(new Error(`${command} exited (${code ?? signal}) before ${what}:\n${text}`));
        const timer = setTimeout(
          () => done(new Error(`${command} did not show ${what} within ${timeoutMs} ms:\n${text}`)),
          timeoutMs,
        );
        child.on("output", check);
        child.once("exit", onExit);
        check();
        if (exited()) onExit(child.exitCode, child.signalCode);
      });
    },
    async stop() {
      if (exited()) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** A self-signed P-256 certificate for 127.0.0.1 (SAN IP:127.0.0.1), made by openssl in `dir`. */
export async function selfSignedCert(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, "controller.crt");
  const keyFile = join(dir, "controller.key");
  const made = await runToEnd(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { env: process.env, timeoutMs: 20_000 },
  );
  if (made.code !== 0) throw new Error(`openssl could not make a certificate:\n${made.stderr}`);
  return { certFile, keyFile };
}

export interface ExporterSpec {
  labels: Record<string, string>;
  token: string;
}

/** Writes the ControllerConfig (clients: name → token); `startController` starts it. */
export async function writeControllerConfig(
  dir: string,
  tls: { certFile: string; keyFile: string },
  clients: Record<string, string>,
  exporters: Record<string, ExporterSpec>,
): Promise<string> {
  const path = join(dir, "controller.yaml");
  const lines = [
    "apiVersion: dutkit.dev/v1alpha1",
    "kind: ControllerConfig",
    "metadata: {namespace: lab}",
    "listen: 127.0.0.1:0",
    "stateFile: controller-state.json",
    `tls: {certFile: ${tls.certFile}, keyFile: ${tls.keyFile}}`,
    "clients:",
    ...Object.entries(clients).map(([name, token]) => `  ${name}: {token: ${token}}`),
    "exporters:",
    ...Object.entries(exporters).map(
      ([name, e]) => `  ${name}: {token: ${e.token}, labels: ${JSON.stringify(e.labels)}}`,
    ),
  ];
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

/** `dutkit controller --config F`, ready once it prints the address it serves at (bounded). */
export async function startController(
  config: string,
  home: string,
): Promise<{ daemon: Daemon; endpoint: string }> {
  const [node, args] = dutkitCommand("controller", "--config", config);
  const daemon = startDaemon(node, args, labEnv(home));
  try {
    const match = await daemon.waitFor(
      /serving at (127\.0\.0\.1:\d+)/,
      '"serving at 127.0.0.1:<port>"',
      60_000,
    );
    return { daemon, endpoint: match[1]! };
  } catch (error) {
    await daemon.stop();
    throw error;
  }
}

/** An ExporterConfig both implementations load: the mock board's power and shell, no metadata.labels. */
export async function writeExporterConfig(
  dir: string,
  name: string,
  endpoint: string,
  token: string,
): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  const lines = [
    "apiVersion: jumpstarter.dev/v1alpha1",
    "kind: ExporterConfig",
    `metadata: {namespace: lab, name: ${name}}`,
    `endpoint: ${endpoint}`,
    `token: ${token}`,
    "tls: {ca: '', insecure: true}",
    "export:",
    "  power: {type: jumpstarter_driver_power.driver.MockPower}",
    "  shell:",
    "    type: jumpstarter_driver_shell.driver.Shell",
    "    config:",
    "      methods:",
    '        hello: echo "hello $1"',
  ];
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

/** `dutkit run --exporter-config F` registered with the controller, ready once it waits for leases. */
export async function startDutkitExporter(config: string, home: string): Promise<Daemon> {
  const [node, args] = dutkitCommand("run", "--exporter-config", config);
  const daemon = startDaemon(node, args, labEnv(home));
  await daemon
    .waitFor(/registered; waiting for leases/, '"registered; waiting for leases"', 60_000)
    .catch(async (error) => {
      await daemon.stop();
      throw error;
    });
  return daemon;
}

/** Jumpstarter's `jmp run --exporter-config F`, ready once it logs that it is not leased. */
export async function startJumpstarterExporter(config: string, home: string): Promise<Daemon> {
  const daemon = startDaemon(venvBin("jmp"), ["run", "--exporter-config", config], labEnv(home));
  await daemon.waitFor(/Currently not leased/, '"Currently not leased"', 60_000).catch(async (error) => {
    await daemon.stop();
    throw error;
  });
  return daemon;
}
