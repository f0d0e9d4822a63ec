/** Turns a valid request into a ready transfer, or a refusal the client is told about. */
import type { BusyPoller } from "./busy-poll.ts";
import type { TransferChannel } from "./channel.ts";
import type { ReadRequestContext, ResolvedServerOptions, TftpClient } from "./config.ts";
import { FileContentReader } from "./content.ts";
import { TftpErrorCode, TftpRefusal } from "./errors.ts";
import { NativeTransferChannel } from "./native-channel.ts";
import { NativeReadTransfer } from "./native-read-transfer.ts";
import { firstOccurrences, type NegotiatedOptions, negotiateOptions } from "./options.ts";
import type { TftpRequest } from "./packet.ts";
import { normalizeRequestPath, resolveWriteDirectory, uploadDirectories } from "./paths.ts";
import { openReadContent } from "./read-content.ts";
import { ReadTransfer } from "./read-transfer.ts";
import { type RetransmitSettings, RetransmitTimeout } from "./retransmit.ts";
import type { RunnableTransfer, TransferSummary } from "./transfer.ts";
import { UploadFile } from "./upload-file.ts";
import { WriteTransfer } from "./write-transfer.ts";

export interface PreparedTransfer {
  transfer: RunnableTransfer;
  options: NegotiatedOptions;
}

export interface PrepareContext {
  options: ResolvedServerOptions;
  realRoot: string;
  channel: TransferChannel | NativeTransferChannel;
  client: TftpClient;
  poller: BusyPoller;
  onEnd: (summary: TransferSummary) => void;
}

/** The runner opens native channels for reads only. */
function javascriptChannel(channel: TransferChannel | NativeTransferChannel): TransferChannel {
  if (channel instanceof NativeTransferChannel) throw new Error("a write transfer got a native channel");
  return channel;
}

export function requestedOptionsRecord(request: TftpRequest): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, option] of firstOccurrences(request.options)) record[key] = option.value;
  return record;
}

function checkMode(mode: string): void {
  if (mode === "octet" || mode === "netascii") return;
  const what = mode === "mail" ? "Mode mail is not supported" : `Unknown transfer mode "${mode}"`;
  throw new TftpRefusal(TftpErrorCode.IllegalOperation, `${what}: use octet or netascii`);
}

function retransmitSettings(options: ResolvedServerOptions): RetransmitSettings {
  return { initialMs: options.timeoutMs, minMs: options.minTimeoutMs, maxMs: 8 * options.timeoutMs };
}

function transferSettings(context: PrepareContext, negotiated: NegotiatedOptions) {
  const { options } = context;
  const timeout = new RetransmitTimeout(retransmitSettings(options), negotiated.timeout);
  return { retries: options.retries, timeout, poller: context.poller, onEnd: context.onEnd };
}

export async function prepareTransfer(
  request: TftpRequest,
  context: PrepareContext,
): Promise<PreparedTransfer> {
  checkMode(request.mode);
  const filename = normalizeRequestPath(request.filename);
  return request.kind === "read"
    ? prepareRead(request, filename, context)
    : prepareWrite(request, filename, context);
}

async function prepareRead(request: TftpRequest, filename: string, context: PrepareContext) {
  const { options } = context;
  const hookContext: ReadRequestContext = {
    filename,
    client: context.client,
    mode: request.mode,
    options: requestedOptionsRecord(request),
  };
  const reader = await openReadContent(options, context.realRoot, hookContext);
  const negotiation = negotiateOptions(request.options, "read", options, reader.size);
  const parameters = {
    blksize: negotiation.options.blksize,
    windowsize: negotiation.options.windowsize,
    oack: negotiation.oack,
  };
  const { channel } = context;
  if (channel instanceof NativeTransferChannel) {
    // The runner opens a native channel only for octet reads without an onRead hook: a file.
    if (!(reader instanceof FileContentReader))
      throw new Error("native read loop got content that is not a file");
    const settings = {
      retries: options.retries,
      retransmit: retransmitSettings(options),
      negotiatedTimeout: negotiation.options.timeout,
      onEnd: context.onEnd,
    };
    return {
      transfer: new NativeReadTransfer(channel, settings, reader, parameters),
      options: negotiation.options,
    };
  }
  const settings = transferSettings(context, negotiation.options);
  return { transfer: new ReadTransfer(channel, settings, reader, parameters), options: negotiation.options };
}

async function prepareWrite(request: TftpRequest, filename: string, context: PrepareContext) {
  const { options } = context;
  if (!options.write.enabled) {
    throw new TftpRefusal(
      TftpErrorCode.AccessViolation,
      "Access violation: uploads are disabled on this server",
    );
  }
  const negotiation = negotiateOptions(request.options, "write", options, undefined);
  const { blksize, windowsize, tsize } = negotiation.options;
  if (tsize !== undefined && tsize > options.write.maxBytes) {
    throw new TftpRefusal(
      TftpErrorCode.DiskFull,
      `Upload of ${tsize} bytes exceeds the limit of ${options.write.maxBytes} bytes`,
    );
  }
  const directories = uploadDirectories(context.realRoot, context.client.address, options.perClientRoot);
  const { directory, name } = await resolveWriteDirectory(context.realRoot, directories, filename);
  const upload = await UploadFile.create(directory, name, options.write.overwrite, windowsize * blksize + 1);
  const transfer = new WriteTransfer(
    javascriptChannel(context.channel),
    transferSettings(context, negotiation.options),
    upload,
    {
      blksize,
      windowsize,
      oack: negotiation.oack,
      netascii: request.mode === "netascii",
      maxBytes: options.write.maxBytes,
    },
  );
  return { transfer, options: negotiation.options };
}
