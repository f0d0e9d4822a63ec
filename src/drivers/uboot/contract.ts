import { z } from "zod";

/** What `setup_dhcp` answers: the lease's address, gateway and netmask. */
export const DhcpInfo = z.object({ ip: z.string(), gateway: z.string(), netmask: z.string() });
export type DhcpInfo = z.output<typeof DhcpInfo>;

/** A memory address or size: a number, a hex string or a U-Boot variable. */
type Address = number | string;
/** Seconds; null or left out: the driver's default. */
type Timeout = number | null;
/** Bad patterns not to fail on: names, or true for all of them. */
type IgnoreBadPatterns = string[] | boolean | null;

/** The methods of dutkit's UbootConsole (Jumpstarter's UbootConsole, with the work on the exporter). */
export interface UbootConsoleInterface {
  get_prompt(): string;
  reboot_to_console(): Promise<string>;
  run_command(cmd: string, timeout?: Timeout, ignore_bad_patterns?: IgnoreBadPatterns): Promise<string>;
  run_command_checked(
    cmd: string,
    timeout?: Timeout,
    ignore_bad_patterns?: IgnoreBadPatterns,
  ): Promise<string>;
  get_env(name: string, timeout?: Timeout): Promise<string | null>;
  set_env(name: string, value: string | null, timeout?: Timeout): Promise<void>;
  set_env_dict(values: Record<string, string | null>, timeout?: Timeout): Promise<void>;
  setup_dhcp(timeout?: Timeout): Promise<DhcpInfo>;
  tftpboot(addr: Address, file: string, timeout?: Timeout): Promise<number>;
  crc32(addr: Address, size: Address, timeout?: Timeout): Promise<number>;
  transcript(since?: number | null): string;
  close_console(): Promise<void>;
}
