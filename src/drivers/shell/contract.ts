import { z } from "zod";

/** One item of `call_method`: [stdout, stderr, returncode], output as it arrived; the return code only on the last item. */
export const ShellOutputItem = z.tuple([z.string(), z.string(), z.number().nullable()]);
export type ShellOutputItem = z.output<typeof ShellOutputItem>;

export const ShellMethodNames = z.array(z.string());

/** The methods of Jumpstarter's Shell driver. */
export interface ShellInterface {
  get_methods(): string[];
  call_method(method: string, env: Record<string, string>, ...args: string[]): AsyncIterable<ShellOutputItem>;
}
