import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { defineExporter } from "../../config/define.ts";
import { openLocalSession } from "../../exporter/local.ts";
import { nicDevice, qemuArguments } from "./command-line.ts";
import { debianPackageFor, QemuConfig, QemuConfigError, resolveQemu } from "./config.ts";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dutkit-qemu-config-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in QEMU program: these tests check paths, they start nothing. */
const fakeQemu = "/bin/true";

function resolve(config: Record<string, unknown>) {
  return resolveQemu(QemuConfig.parse(config), dir);
}

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(QemuConfigError);
    expect((error as QemuConfigError).code).toBe("ERR_DUTKIT_CONFIG");
    return (error as Error).message;
  }
  throw new Error("expected a QemuConfigError");
}

describe("Qemu config", () => {
  test("a missing firmware names the Debian package that ships it", () => {
    const message = problem(() =>
      resolve({ arch: "aarch64", binary: fakeQemu, bios: "/usr/lib/u-boot/no_such_board/u-boot.bin" }),
    );
    expect(message).toContain("bios /usr/lib/u-boot/no_such_board/u-boot.bin does not exist");
    expect(message).toContain("apt-get install -y u-boot-qemu");
  });

  test("a relative firmware path is resolved against the config's directory", () => {
    expect(problem(() => resolve({ binary: fakeQemu, bios: "fw/u-boot.bin" }))).toContain(
      `bios ${join(dir, "fw/u-boot.bin")} does not exist; fix \`bios\` in the Qemu config (a relative path is resolved against ${dir})`,
    );
    writeFileSync(join(dir, "u-boot.bin"), "firmware");
    expect(resolve({ binary: fakeQemu, bios: "u-boot.bin" }).bios).toBe(join(dir, "u-boot.bin"));
    expect(problem(() => resolve({ binary: fakeQemu, bios: "." }))).toContain("is not a file");
  });

  test("an architecture without a QEMU program names the program, the package and the fix", () => {
    const message = problem(() => resolve({ arch: "nosucharch" }));
    expect(message).toContain('qemu-system-nosucharch (for arch "nosucharch") is not on PATH');
    expect(message).toContain("apt-get install -y qemu-system-misc");
    expect(message).toContain("set `binary`");
    expect(debianPackageFor("aarch64")).toBe("qemu-system-arm");
    expect(debianPackageFor("x86_64")).toBe("qemu-system-x86");
  });

  test("a `binary` that is not an executable file is named", () => {
    expect(problem(() => resolve({ binary: join(dir, "qemu") }))).toContain(
      `binary "${join(dir, "qemu")}" is not an executable file`,
    );
    expect(problem(() => resolve({ binary: "no-such-qemu-program" }))).toContain(
      "is not an executable file on PATH",
    );
    expect(resolve({ binary: "true" }).binary).toMatch(/\/true$/);
  });

  test("kvm is refused for a foreign architecture; TCG defaults per target", () => {
    const foreign = process.arch === "arm64" ? "x86_64" : "aarch64";
    expect(problem(() => resolve({ arch: foreign, binary: fakeQemu, accel: "kvm" }))).toContain(
      'use accel "auto" or "tcg"',
    );
    const arm = resolve({ arch: "aarch64", binary: fakeQemu, accel: "tcg" });
    expect([arm.accel, arm.machine, arm.cpu]).toEqual(["tcg", "virt", "cortex-a57"]);
    const pc = resolve({ arch: "x86_64", binary: fakeQemu, accel: "tcg" });
    expect([pc.machine, pc.cpu]).toEqual(["q35", "max"]);
  });

  // In-process only: the exporter refuses the config before any client or wire exists.
  test("the exporter refuses the board when its config is wrong, before anything starts", async () => {
    const board = (config: Record<string, unknown>) =>
      openLocalSession(
        defineExporter({
          apiVersion: "jumpstarter.dev/v1alpha1",
          kind: "ExporterConfig",
          metadata: { name: "qemu-config" },
          export: { board: { type: "Qemu", config } },
        }),
      );
    await expect(board({ arch: "nosucharch" })).rejects.toThrow(/qemu-system-nosucharch .* is not on PATH/);
    await expect(board({ binary: fakeQemu, mem: "lots" })).rejects.toThrow(/mem/);
    await expect(board({ binary: fakeQemu, memory: "1G" })).rejects.toThrow(/memory/);
  });
});

describe("QEMU command line", () => {
  test("headless, serial on the driver's socket, user network with forwards, extra args last", () => {
    const qemu = resolve({
      arch: "aarch64",
      binary: fakeQemu,
      accel: "tcg",
      mem: "256M",
      smp: 1,
      hostfwd: {
        ssh: { hostport: 2222, guestport: 22 },
        dns: { protocol: "udp", hostport: 5353, guestport: 53 },
      },
      extra_args: ["-rtc", "base=utc"],
    });
    const args = qemuArguments(qemu, { name: "dutkit-x", consoleSocket: "/tmp/a,b/console.sock" });
    expect(args.slice(0, 8)).toEqual([
      "-name",
      "dutkit-x",
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-monitor",
      "none",
    ]);
    expect(args.join(" ")).toContain("-machine virt -accel tcg -cpu cortex-a57 -m 256M -smp 1");
    expect(args).not.toContain("-bios");
    expect(args.join(" ")).toContain(
      "-chardev socket,id=console,path=/tmp/a,,b/console.sock -serial chardev:console",
    );
    expect(args.join(" ")).toContain(
      "-netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:127.0.0.1:5353-:53 -device virtio-net-pci,netdev=net0,romfile=",
    );
    expect(args.slice(-2)).toEqual(["-rtc", "base=utc"]);
  });

  test("a PCI NIC needs no option ROM unless the config names one", () => {
    expect(nicDevice("virtio-net-pci")).toBe("virtio-net-pci,netdev=net0,romfile=");
    expect(nicDevice("e1000,mac=52:54:00:12:34:56")).toBe("e1000,mac=52:54:00:12:34:56,netdev=net0");
    expect(nicDevice("virtio-net-pci,romfile=efi-virtio.rom")).toBe(
      "virtio-net-pci,romfile=efi-virtio.rom,netdev=net0",
    );
    expect(nicDevice("virtio-net-device")).toBe("virtio-net-device,netdev=net0");
  });

  test("no network when it is turned off; the firmware when one is given", () => {
    writeFileSync(join(dir, "fw.bin"), "firmware");
    const args = qemuArguments(resolve({ binary: fakeQemu, network: false, bios: "fw.bin" }), {
      name: "n",
      consoleSocket: "/s",
    });
    expect(args).not.toContain("-netdev");
    expect(args.join(" ")).toContain(`-bios ${join(dir, "fw.bin")}`);
  });
});
