import { stat } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { type Duplex, PassThrough } from "node:stream";
import { SerialPort } from "serialport";
import { FailedPreconditionError, NotFoundError, UnavailableError } from "../../core/errors.ts";
import { describeTarget, type SerialTarget } from "./config.ts";
import { CONTROL, Rfc2217Stream } from "./rfc2217.ts";

/** How often an open device's path is checked to still exist. */
export const PRESENCE_CHECK_MS = 200;

/** How long a TCP connect to socket:// or rfc2217:// may take. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface ModemLines {
  dtr: boolean;
  rts: boolean;
}

/** An open port: its bytes, how to close it, and (device and RFC 2217 ports) its modem lines. */
export interface OpenPort {
  stream: Duplex;
  close(): Promise<void>;
  setLines?(lines: ModemLines, changed: keyof ModemLines): Promise<void>;
}

export interface OpenOptions {
  baudrate: number;
  hupcl: boolean;
}

export async function openPort(target: SerialTarget, options: OpenOptions): Promise<OpenPort> {
  switch (target.kind) {
    case "loop": {
      const stream = new PassThrough();
      return { stream, close: async () => void stream.end() };
    }
    case "device":
      return openDevice(target.path, options);
    case "socket": {
      const socket = await connectTcp(target);
      socket.setNoDelay(true);
      return { stream: socket, close: () => closeSocket(socket) };
    }
    case "rfc2217": {
      const socket = await connectTcp(target);
      socket.setNoDelay(true);
      const stream = new Rfc2217Stream(socket, describeTarget(target), options.baudrate);
      // Until the server confirmed the settings, failures reach the caller through `ready`.
      const quiet = () => {};
      stream.on("error", quiet);
      try {
        await stream.ready;
      } catch (error) {
        stream.destroy();
        throw error;
      } finally {
        stream.off("error", quiet);
      }
      return {
        stream,
        close: () => closeSocket(socket),
        setLines: (lines, changed) =>
          stream.setControl(
            changed === "dtr"
              ? lines.dtr
                ? CONTROL.dtrOn
                : CONTROL.dtrOff
              : lines.rts
                ? CONTROL.rtsOn
                : CONTROL.rtsOff,
          ),
      };
    }
  }
}

async function openDevice(path: string, options: OpenOptions): Promise<OpenPort> {
  const port = new SerialPort({ path, baudRate: options.baudrate, hupcl: options.hupcl, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => (error ? reject(deviceError(path, error)) : resolve()));
  });
  const stopWatching = watchPresence(path, port);
  return {
    stream: port,
    close: () =>
      new Promise<void>((resolve) => {
        stopWatching();
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
    setLines: (lines) =>
      new Promise<void>((resolve, reject) => {
        port.set(lines, (error) => (error ? reject(deviceError(path, error)) : resolve()));
      }),
  };
}

/**
 * Fails the port when its device node disappears. A pty whose other side exited, like many
 * unplugged USB adapters, then reads as an endless end-of-file, which serialport's reader retries
 * without reporting; the node going away is the reliable sign. Returns the function that stops it.
 */
function watchPresence(path: string, port: SerialPort): () => void {
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    stat(path).then(
      () => {
        checking = false;
      },
      (error: NodeJS.ErrnoException) => {
        checking = false;
        if (error.code !== "ENOENT") return;
        clearInterval(timer);
        port.destroy(
          new Error(`${path} disappeared (device unplugged, or the program behind the pty exited)`),
        );
      },
    );
  }, PRESENCE_CHECK_MS);
  timer.unref();
  port.once("close", () => clearInterval(timer));
  return () => clearInterval(timer);
}

/** serialport reports errors by message only; these name the problem and the fix. */
export function deviceError(path: string, error: Error): Error {
  const m = error.message;
  const options = { cause: error };
  if (/No such file or directory|ENOENT/.test(m)) {
    return new NotFoundError(
      `serial port ${path} is not present (${m}): plug the device in or fix url; ` +
        "with check_present: false the driver starts without it",
      options,
    );
  }
  if (/Permission denied|EACCES/.test(m)) {
    return new FailedPreconditionError(
      `no permission to open serial port ${path} (${m}): add the user to the port's group (often dialout)`,
      options,
    );
  }
  if (/Cannot lock port|Resource temporarily unavailable/.test(m)) {
    return new FailedPreconditionError(
      `serial port ${path} is in use (${m}): close the other connection or program that holds it`,
      options,
    );
  }
  if (/Inappropriate ioctl/.test(m)) {
    return new FailedPreconditionError(
      `serial port ${path} has no modem control lines (${m}); a pty or a USB adapter without ` +
        "DTR/RTS cannot set them",
      options,
    );
  }
  return new UnavailableError(`serial port ${path}: ${m}`, options);
}

function connectTcp(target: { kind: string; host: string; port: number }): Promise<Socket> {
  const name = describeTarget(target as SerialTarget);
  return new Promise<Socket>((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UnavailableError(`${name} did not accept a connection within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const fix =
        error.code === "ECONNREFUSED"
          ? "nothing listens there: start the serial server (e.g. ser2net) or fix url"
          : "check the host and port in url";
      reject(
        new UnavailableError(`cannot connect to ${name} (${error.code ?? error.message}): ${fix}`, {
          cause: error,
        }),
      );
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once("close", () => resolve());
    socket.destroy();
  });
}
