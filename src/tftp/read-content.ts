/** Finds what a read request gets: the onRead hook's answer, or a file under the root. */
import { close, constants, fstat, open } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { ReadContent, ReadRequestContext, ResolvedServerOptions } from "./config.ts";
import {
  BytesContentReader,
  type ContentReader,
  FileContentReader,
  NetasciiContentReader,
  StreamContentReader,
} from "./content.ts";
import { TftpErrorCode, TftpRefusal } from "./errors.ts";
import { resolveReadPath, searchDirectories } from "./paths.ts";

const openFile = promisify(open);
const statFile = promisify(fstat);
const closeFile = promisify(close);

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown })?.[Symbol.asyncIterator] === "function";
}

/** Opens a regular file for reading; refusals name no server path. */
export async function openFileReader(path: string): Promise<FileContentReader> {
  let fd: number;
  try {
    fd = await openFile(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new TftpRefusal(TftpErrorCode.FileNotFound, "File not found");
    if (code === "EACCES" || code === "EPERM" || code === "ELOOP") {
      throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: permission denied");
    }
    throw error;
  }
  try {
    const stats = await statFile(fd);
    if (!stats.isFile())
      throw new TftpRefusal(TftpErrorCode.AccessViolation, "Access violation: not a regular file");
    return new FileContentReader(fd, stats.size);
  } catch (error) {
    await closeFile(fd).catch(() => {});
    throw error;
  }
}

async function callHookWithTimeout(
  options: ResolvedServerOptions,
  context: ReadRequestContext,
): Promise<ReadContent> {
  const hook = options.onRead!;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`onRead hook did not answer within ${options.onReadTimeoutMs} ms`)),
      options.onReadTimeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(() => hook(context)), timeout]);
  } catch (error) {
    if (error instanceof TftpRefusal) throw error;
    throw new TftpRefusal(TftpErrorCode.NotDefined, error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}

async function readerForHookAnswer(answer: ReadContent, root: string): Promise<ContentReader | undefined> {
  if (answer === undefined || answer === null) return undefined;
  if (answer instanceof Uint8Array) return new BytesContentReader(answer);
  if (typeof answer === "string") return openFileReader(resolve(root, answer));
  if ("stream" in answer && isAsyncIterable(answer.stream)) {
    const { size } = answer;
    if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
      throw new TftpRefusal(
        TftpErrorCode.NotDefined,
        "onRead hook returned a stream size that is not a whole number",
      );
    }
    return new StreamContentReader(answer.stream, size);
  }
  if (isAsyncIterable(answer)) return new StreamContentReader(answer, undefined);
  throw new TftpRefusal(
    TftpErrorCode.NotDefined,
    "onRead hook returned an unsupported value: return bytes, a stream, a path or nothing",
  );
}

/**
 * The reader for a read request. `context.filename` is already normalised and confined, so the
 * hook never sees a traversal attempt.
 */
export async function openReadContent(
  options: ResolvedServerOptions,
  realRoot: string,
  context: ReadRequestContext,
): Promise<ContentReader> {
  let reader: ContentReader | undefined;
  if (options.onRead)
    reader = await readerForHookAnswer(await callHookWithTimeout(options, context), options.root);
  if (!reader) {
    const directories = searchDirectories(realRoot, context.client.address, options.perClientRoot);
    reader = await openFileReader(await resolveReadPath(realRoot, directories, context.filename));
  }
  return context.mode === "netascii" ? new NetasciiContentReader(reader) : reader;
}
