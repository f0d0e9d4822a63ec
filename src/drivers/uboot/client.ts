import { z } from "zod";
import { DriverClient } from "../../client/client.ts";
import { checkResult } from "../../core/contract.ts";
import { DhcpInfo } from "./contract.ts";
// Registers the U-Boot errors, so a failed call arrives as UbootCommandError with its fields.
import "./errors.ts";

export interface RunCommandOptions {
  /** Seconds the command may take (default: the driver's command_timeout, 60). */
  timeout?: number;
  /** Bad patterns not to fail on, by name (`["error_notification"]`), or true for none. */
  ignoreBadPatterns?: readonly string[] | boolean;
}

/**
 * Client of the U-Boot console. The work runs on the exporter, so it behaves the same locally
 * and remotely; a failed checked command throws UbootCommandError with the exit code and output.
 */
export class UbootConsoleClient extends DriverClient {
  async getPrompt(): Promise<string> {
    return this.text("get_prompt", await this.call("get_prompt"));
  }

  /** Power-cycles the board and stops autoboot; resolves with the boot output seen. */
  async rebootToConsole(): Promise<string> {
    return this.text("reboot_to_console", await this.call("reboot_to_console"));
  }

  /** Runs a command; resolves with its output (echo left out, LF line ends), whatever its exit code. */
  async runCommand(cmd: string, options: RunCommandOptions = {}): Promise<string> {
    return this.text("run_command", await this.call("run_command", cmd, ...optionArgs(options)));
  }

  /** Runs a command; a non-zero exit code throws UbootCommandError carrying the output. */
  async runCommandChecked(cmd: string, options: RunCommandOptions = {}): Promise<string> {
    return this.text(
      "run_command_checked",
      await this.call("run_command_checked", cmd, ...optionArgs(options)),
    );
  }

  async getEnv(name: string, timeout?: number): Promise<string | null> {
    return checkResult(
      z.string().nullable(),
      await this.call("get_env", name, timeout ?? null),
      this.path,
      "get_env",
    );
  }

  /** Sets a variable; any printable ASCII survives (spaces, quotes, `$`). null deletes it. */
  async setEnv(name: string, value: string | null, timeout?: number): Promise<void> {
    await this.call("set_env", name, value, timeout ?? null);
  }

  async setEnvDict(values: Record<string, string | null>, timeout?: number): Promise<void> {
    await this.call("set_env_dict", values, timeout ?? null);
  }

  /** `dhcp` with autoload off (restored after); the lease's address, gateway and netmask. */
  async setupDhcp(timeout?: number): Promise<DhcpInfo> {
    return checkResult(DhcpInfo, await this.call("setup_dhcp", timeout ?? null), this.path, "setup_dhcp");
  }

  /** `tftpboot addr file`; resolves with "Bytes transferred". Numbers are sent as hex. */
  async tftpboot(addr: number | string, file: string, timeout?: number): Promise<number> {
    return this.number("tftpboot", await this.call("tftpboot", addr, file, timeout ?? null));
  }

  /** CRC-32 of `size` bytes at `addr` (U-Boot's `crc32`), as an unsigned number. */
  async crc32(addr: number | string, size: number | string, timeout?: number): Promise<number> {
    return this.number("crc32", await this.call("crc32", addr, size, timeout ?? null));
  }

  /** The console transcript (both directions, timestamped) since `since` (ms since epoch). */
  async transcript(since = 0): Promise<string> {
    return this.text("transcript", await this.call("transcript", since));
  }

  /** Lets go of the serial connection; the next call opens a new one and finds the prompt. */
  async closeConsole(): Promise<void> {
    await this.call("close_console");
  }

  private text(method: string, answer: unknown): string {
    return checkResult(z.string(), answer, this.path, method);
  }

  private number(method: string, answer: unknown): number {
    return checkResult(z.number(), answer, this.path, method);
  }
}

function optionArgs(options: RunCommandOptions) {
  return [options.timeout ?? null, options.ignoreBadPatterns ?? null] as const;
}
