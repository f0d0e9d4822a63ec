import { accessSync, constants, statSync } from "node:fs";
import { arch as hostNodeArch } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { DutkitError } from "../../core/errors.ts";

/** QEMU's name for this host's architecture (`qemu-system-<arch>`). */
export function hostArch(): string {
  const names: Record<string, string> = { x64: "x86_64", arm64: "aarch64", ia32: "i386", ppc64: "ppc64" };
  return names[hostNodeArch()] ?? hostNodeArch();
}

const Hostfwd = z
  .strictObject({
    protocol: z.enum(["tcp", "udp"]).default("tcp").describe("tcp or udp"),
    hostaddr: z
      .string()
      .regex(/^[0-9.]+$/, "an IPv4 address such as 127.0.0.1")
      .default("127.0.0.1")
      .describe("host address to listen on (default 127.0.0.1)"),
    hostport: z.number().int().min(0).max(65535).describe("host port (0: any free port)"),
    guestport: z.number().int().min(1).max(65535).describe("port inside the guest"),
  })
  .describe("one forwarded port of QEMU's user-mode network");

export const QemuConfig = z
  .strictObject({
    arch: z
      .string()
      .regex(/^[a-z0-9_]+$/, "a QEMU target name such as aarch64 or x86_64")
      .default(hostArch())
      .describe("QEMU target: runs qemu-system-<arch> (aarch64, x86_64, riscv64, …); default: this host's"),
    binary: z
      .string()
      .min(1)
      .optional()
      .describe("the QEMU program to run instead of qemu-system-<arch> from PATH"),
    machine: z.string().min(1).optional().describe("-machine; default virt (q35 for x86_64 and i386)"),
    cpu: z
      .string()
      .min(1)
      .optional()
      .describe("-cpu; default host under KVM, cortex-a57 for aarch64, max otherwise"),
    accel: z
      .enum(["auto", "tcg", "kvm"])
      .default("auto")
      .describe("auto: KVM when the target is this host's architecture and /dev/kvm is usable, else TCG"),
    mem: z
      .string()
      .regex(/^\d+[KMGT]?$/i, "a size such as 512M or 1G")
      .default("512M")
      .describe("guest memory (-m), e.g. 512M"),
    smp: z.number().int().min(1).max(256).default(2).describe("number of guest CPUs (-smp)"),
    bios: z
      .string()
      .min(1)
      .optional()
      .describe(
        "firmware image (-bios), e.g. /usr/lib/u-boot/qemu_arm64/u-boot.bin; relative to the config file",
      ),
    network: z.boolean().default(true).describe("user-mode (NAT) network with one NIC"),
    nic: z
      .string()
      .min(1)
      .default("virtio-net-pci")
      .describe("NIC for the user-mode network: a QEMU device, with options if needed (e1000,mac=…)"),
    hostfwd: z
      .record(z.string(), Hostfwd)
      .default({})
      .describe("forwarded ports by name: {ssh: {hostport: 2222, guestport: 22}}"),
    extra_args: z.array(z.string()).default([]).describe("more QEMU arguments, appended as given"),
    console_backlog: z
      .number()
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe("bytes of console output kept while no client is connected (oldest dropped first)"),
    start_timeout: z
      .number()
      .positive()
      .max(600)
      .default(10)
      .describe("seconds QEMU gets to start and connect its serial console"),
    stop_timeout: z
      .number()
      .positive()
      .max(120)
      .default(5)
      .describe("seconds between SIGTERM and SIGKILL when powering off"),
  })
  .describe("Qemu options");
export type QemuConfig = z.output<typeof QemuConfig>;

/** The Debian package that ships `qemu-system-<arch>`. */
export function debianPackageFor(arch: string): string {
  if (arch === "aarch64" || arch === "arm") return "qemu-system-arm";
  if (arch === "x86_64" || arch === "i386") return "qemu-system-x86";
  if (arch.startsWith("ppc")) return "qemu-system-ppc";
  if (arch.startsWith("mips")) return "qemu-system-mips";
  if (arch.startsWith("sparc")) return "qemu-system-sparc";
  return "qemu-system-misc";
}

/** A Qemu config with its paths checked and resolved. */
export interface ResolvedQemu {
  config: QemuConfig;
  /** Absolute path of the QEMU program. */
  binary: string;
  /** Absolute path of the firmware, if any. */
  bios: string | undefined;
  accel: "tcg" | "kvm";
  machine: string;
  cpu: string;
}

export class QemuConfigError extends DutkitError {
  constructor(message: string) {
    super("ERR_DUTKIT_CONFIG", `Qemu: ${message}`);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The QEMU program: `binary` as given, or `qemu-system-<arch>` from PATH. */
export function findBinary(config: QemuConfig, configDir: string, path = process.env.PATH ?? ""): string {
  if (config.binary !== undefined) {
    const given = config.binary.includes("/") ? resolve(configDir, config.binary) : config.binary;
    const candidates = given.includes("/") ? [given] : path.split(delimiter).map((dir) => join(dir, given));
    const found = candidates.find(isExecutable);
    if (found) return found;
    throw new QemuConfigError(
      `binary "${config.binary}" is not an executable file${given.includes("/") ? "" : " on PATH"}; ` +
        "fix the path in the Qemu config, or remove `binary` to run qemu-system-<arch>",
    );
  }
  const name = `qemu-system-${config.arch}`;
  for (const dir of path.split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  throw new QemuConfigError(
    `${name} (for arch "${config.arch}") is not on PATH; install it (Debian: apt-get install -y ` +
      `${debianPackageFor(config.arch)}), or fix \`arch\`, or set \`binary\` to the QEMU program`,
  );
}

/** The firmware path, resolved against the config's directory and checked to be a readable file. */
export function findBios(config: QemuConfig, configDir: string): string | undefined {
  if (config.bios === undefined) return undefined;
  const path = isAbsolute(config.bios) ? config.bios : resolve(configDir, config.bios);
  let problem: string | undefined;
  try {
    if (!statSync(path).isFile()) problem = "is not a file";
    else accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "error"})`;
  }
  if (problem === undefined) return path;
  const fix = path.startsWith("/usr/lib/u-boot/")
    ? "install Debian's u-boot-qemu (apt-get install -y u-boot-qemu), or fix `bios`"
    : `fix \`bios\` in the Qemu config (a relative path is resolved against ${configDir})`;
  throw new QemuConfigError(`bios ${path} ${problem}; ${fix}`);
}

function kvmUsable(): boolean {
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Checks the paths a config names and fills in the defaults that depend on the target. */
export function resolveQemu(config: QemuConfig, configDir: string): ResolvedQemu {
  const binary = findBinary(config, configDir);
  const bios = findBios(config, configDir);
  const native = config.arch === hostArch();
  let accel: "tcg" | "kvm" = "tcg";
  if (config.accel === "kvm") {
    if (!native || !kvmUsable()) {
      throw new QemuConfigError(
        `accel "kvm" needs a ${hostArch()} target (arch is ${config.arch}) and a readable and writable /dev/kvm; ` +
          'use accel "auto" or "tcg"',
      );
    }
    accel = "kvm";
  } else if (config.accel === "auto" && native && kvmUsable()) {
    accel = "kvm";
  }
  const machine = config.machine ?? (config.arch === "x86_64" || config.arch === "i386" ? "q35" : "virt");
  const cpu = config.cpu ?? (accel === "kvm" ? "host" : config.arch === "aarch64" ? "cortex-a57" : "max");
  return { config, binary, bios, accel, machine, cpu };
}
