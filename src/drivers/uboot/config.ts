import { z } from "zod";

export const UbootConfig = z
  .strictObject({
    prompt: z.string().min(1).default("=>").describe('U-Boot\'s prompt, without the trailing space ("=>")'),
    interrupt: z
      .string()
      .min(1)
      .default("\u001b")
      .describe(
        "what is sent, again and again, to stop autoboot (ESC, as Jumpstarter; a key string on keyed boards)",
      ),
    interrupt_interval: z
      .number()
      .positive()
      .max(10)
      .default(0.1)
      .describe("seconds to wait for the prompt after each interrupt"),
    interrupt_retries: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(600)
      .describe("interrupts sent at most before giving up"),
    boot_timeout: z
      .number()
      .positive()
      .max(3600)
      .default(60)
      .describe("seconds from power on to the prompt, at most"),
    power_off_wait: z
      .number()
      .min(0)
      .max(60)
      .default(2)
      .describe("seconds the board stays off during reboot_to_console (Jumpstarter's cycle waits 2)"),
    command_timeout: z
      .number()
      .positive()
      .max(3600)
      .default(60)
      .describe("default seconds a command may run"),
    echo_timeout: z
      .number()
      .positive()
      .max(600)
      .default(5)
      .describe("seconds to wait for U-Boot to echo each chunk of a command"),
    chunk_size: z
      .number()
      .int()
      .min(0)
      .max(4096)
      .default(16)
      .describe("input pacing: characters sent before waiting for their echo (0: the whole line at once)"),
    max_line_length: z
      .number()
      .int()
      .min(16)
      .max(65536)
      .default(510)
      .describe(
        "longest command line U-Boot takes (CONFIG_SYS_CBSIZE - 2: 510 on Debian's qemu_arm64); longer commands are refused",
      ),
    line_ending: z.enum(["\n", "\r"]).default("\n").describe("what ends a command line"),
    bad_patterns: z
      .boolean()
      .default(true)
      .describe("fail a command at once on U-Boot's error output (Unknown command, ## Error, reset, panic)"),
  })
  .describe("UbootConsole options");

export type UbootConfig = z.output<typeof UbootConfig>;
