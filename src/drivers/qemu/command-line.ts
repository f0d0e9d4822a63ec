import type { ResolvedQemu } from "./config.ts";

/** A value inside a QEMU option list (`a=b,c=d`): commas are doubled. */
export function optionValue(value: string): string {
  return value.replaceAll(",", ",,");
}

export interface LaunchPlan {
  /** `-name`: tells this QEMU apart in `ps`, and lets tests find it. */
  name: string;
  /** The unix socket the driver listens on; QEMU's first serial port connects to it. */
  consoleSocket: string;
}

/**
 * QEMU's arguments: headless (no display, no monitor, no default devices), the serial line on
 * the driver's socket, and the user-mode network with its port forwards. `extra_args` go last.
 */
export function qemuArguments(qemu: ResolvedQemu, plan: LaunchPlan): string[] {
  const { config } = qemu;
  const args = [
    "-name",
    optionValue(plan.name),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-monitor",
    "none",
    "-machine",
    qemu.machine,
    "-accel",
    qemu.accel,
    "-cpu",
    qemu.cpu,
    "-m",
    config.mem,
    "-smp",
    String(config.smp),
  ];
  if (qemu.bios !== undefined) args.push("-bios", qemu.bios);
  // QEMU connects to the driver (a client socket) before the guest runs, so no output is lost.
  args.push(
    "-chardev",
    `socket,id=console,path=${optionValue(plan.consoleSocket)}`,
    "-serial",
    "chardev:console",
  );
  if (config.network) {
    const forwards = Object.values(config.hostfwd).map(
      (f) => `,hostfwd=${f.protocol}:${f.hostaddr}:${f.hostport}-:${f.guestport}`,
    );
    args.push("-netdev", `user,id=net0${forwards.join("")}`, "-device", nicDevice(config.nic));
  }
  args.push(...config.extra_args);
  return args;
}

/**
 * The NIC on the user network (`nic` may carry options: `e1000,mac=…`). A PCI NIC gets no option
 * ROM (`romfile=`) unless the config names one: the firmware we boot (U-Boot) has its own
 * drivers, and QEMU would otherwise refuse to start where Debian's ipxe-qemu (only a
 * recommendation of qemu-system-*) is not installed.
 */
export function nicDevice(nic: string): string {
  const model = nic.split(",")[0]!;
  const romfile = model.endsWith("-pci") && !nic.includes("romfile=") ? ",romfile=" : "";
  return `${nic},netdev=net0${romfile}`;
}
