/**
 * Every error code dutkit throws, grouped by area, with what it means. The codes are stable: tests
 * and scripts may match them. `docs/errors.md` is generated from this catalogue
 * (`node --import ./scripts/ts-loader.mjs scripts/errors-page.ts`); a test fails when it is stale.
 *
 * Naming: `ERR_DUTKIT_<AREA>_<WHAT>`; the TFTP and HTTP servers keep their shorter `ERR_TFTP_*` and
 * `ERR_HTTP_*` codes, which users already match.
 */
export const errorCatalogue = {
  driverCall: {
    title: "Driver calls: one code per gRPC status of the Jumpstarter protocol",
    codes: {
      ERR_DUTKIT_NOT_FOUND: "No such driver, method or file (NOT_FOUND); check the name against the report.",
      ERR_DUTKIT_NOT_IMPLEMENTED: "The driver does not implement this method (UNIMPLEMENTED).",
      ERR_DUTKIT_INVALID_ARGUMENT:
        "An argument is missing, extra, of the wrong type or not a JSON value (INVALID_ARGUMENT).",
      ERR_DUTKIT_DEADLINE_EXCEEDED: "The call or an operation in it timed out (DEADLINE_EXCEEDED).",
      ERR_DUTKIT_UNAVAILABLE:
        "The exporter, a device or a stream went away (UNAVAILABLE); retry or reconnect.",
      ERR_DUTKIT_INTERNAL: "The driver hit a system error (INTERNAL); the message names it.",
      ERR_DUTKIT_UNKNOWN:
        "The driver threw an error without a status (UNKNOWN); the message is the driver's.",
      ERR_DUTKIT_FAILED_PRECONDITION:
        "The session, exporter or device is not in a state to take the call (FAILED_PRECONDITION).",
      ERR_DUTKIT_CLOSE:
        "Closing one or more drivers failed; `errors` lists each driver path and its failure.",
    },
  },
  client: {
    title: "Client: reaching an exporter and reading its report",
    codes: {
      ERR_DUTKIT_EXPORTER_UNREACHABLE:
        "Nothing answers at the exporter address, or it refused the connection.",
      ERR_DUTKIT_PASSPHRASE: "The exporter requires a passphrase and the call did not carry the right one.",
      ERR_DUTKIT_ADDRESS: "An exporter address (JUMPSTARTER_HOST form) cannot be parsed.",
      ERR_DUTKIT_BAD_REPORT: "The exporter's report is inconsistent (a parent missing, a uuid repeated).",
      ERR_DUTKIT_EMPTY_REPORT: "The exporter's report lists no drivers.",
      ERR_DUTKIT_CHILD_NAME:
        "A driver is named like a member of its parent's client; rename it in the config.",
      ERR_DUTKIT_PROTOCOL: "The exporter answered in a shape the client does not understand.",
    },
  },
  exporter: {
    title: "Exporter: serving sessions and registering with a controller",
    codes: {
      ERR_DUTKIT_LISTEN: "The exporter cannot listen at its address.",
      ERR_DUTKIT_ADDRESS_IN_USE: "The exporter's socket path is taken by a file that is not a socket.",
      ERR_DUTKIT_TLS: "The TLS certificate or key cannot be read or used.",
      ERR_DUTKIT_EXPORTER_REGISTRATION:
        "The exporter config lacks what registering with a controller needs (endpoint, token).",
      ERR_DUTKIT_CONTROLLER_LOST: "The exporter lost its controller: every reconnect failed.",
      ERR_DUTKIT_HOOK_FAILED: "A lease hook failed and its onFailure policy stops the exporter.",
    },
  },
  config: {
    title: "Configuration files",
    codes: {
      ERR_DUTKIT_CONFIG: "An exporter or driver configuration is invalid; the message locates the problem.",
      ERR_DUTKIT_CONFIG_NOT_FOUND: "The exporter configuration file does not exist.",
      ERR_DUTKIT_CLIENT_CONFIG: "The client configuration (endpoint, token, TLS) is missing or invalid.",
      ERR_DUTKIT_CONTROLLER_CONFIG: "The controller configuration is invalid.",
      ERR_DUTKIT_BAD_DRIVERS:
        "A test's `drivers` option is neither a list of driver names nor a generated description.",
      ERR_DUTKIT_NO_SUCH_DRIVER:
        "A shortcut fixture names a driver the exporter configuration does not have.",
    },
  },
  board: {
    title: "Boards and fixtures",
    codes: {
      ERR_DUTKIT_NO_BOARD: "No board to test: give an exporter config, or set JUMPSTARTER_HOST.",
      ERR_DUTKIT_NO_SHARED_BOARD:
        "A run-scoped board was asked for, but the board global setup is not configured.",
      ERR_DUTKIT_REMOTE_BOARD:
        "The test asked for the in-process exporter of a remote board; use the client fixture instead.",
    },
  },
  lease: {
    title: "Leases and the controller (client side)",
    codes: {
      ERR_DUTKIT_LEASE: "The controller refused or ended a lease request.",
      ERR_DUTKIT_LEASE_ENDED: "The lease ended (expired or released) while the board was still in use.",
      ERR_DUTKIT_LEASE_WAIT_TIMEOUT: "No board matching the selector became free in time.",
      ERR_DUTKIT_LEASE_WAIT_ABORTED: "Waiting for a lease was aborted (a signal, or the run ending).",
      ERR_DUTKIT_SELECTOR: "A label selector cannot be parsed.",
      ERR_DUTKIT_DURATION: "A lease duration cannot be parsed.",
      ERR_DUTKIT_CONTROLLER: "A controller call failed; the message carries the controller's status.",
    },
  },
  controller: {
    title: "Controller (server side)",
    codes: {
      ERR_DUTKIT_CONTROLLER_STATE: "The controller's state file cannot be read or written.",
      ERR_DUTKIT_CONTROLLER_REFUSED:
        "The controller refused a call; `grpcCode` is the status it sends, the message the fix.",
    },
  },
  cli: {
    title: "Command line",
    codes: {
      ERR_DUTKIT_USAGE: "The command line is incomplete or contradictory; the message says what to give.",
      ERR_DUTKIT_NO_HOST: "`dutkit j` runs outside a shell that has JUMPSTARTER_HOST set.",
      ERR_DUTKIT_WRITE: "A generated file cannot be written.",
    },
  },
  usage: {
    title: "Lease-usage reporting",
    codes: {
      ERR_DUTKIT_USAGE_REPORTER_OPTIONS: "The usage reporter's options are invalid.",
      ERR_DUTKIT_USAGE_REPORT_WRITE: "The usage report cannot be written.",
    },
  },
  expect: {
    title: "Console expect engine",
    codes: {
      ERR_DUTKIT_EXPECT_TIMEOUT:
        "The expected pattern did not appear in time; the message shows the output seen.",
      ERR_DUTKIT_EXPECT_EOF: "The console ended before the expected pattern appeared.",
      ERR_DUTKIT_EXPECT_BAD_PATTERN: "A bad pattern (an error the board printed) appeared while waiting.",
      ERR_DUTKIT_EXPECT_BUSY: "Another expect is already waiting on this console; await it first.",
      ERR_DUTKIT_EXPECT_CLOSED: "The console's stream is closed or read-only; open a new console.",
    },
  },
  drivers: {
    title: "Drivers",
    codes: {
      ERR_DUTKIT_DRIVER_DEFINITION:
        "A driver definition is inconsistent (its client is not among its clients by id); fix the defineDriver call.",
      ERR_DUTKIT_UBOOT_COMMAND_FAILED:
        "A checked U-Boot command failed; `command`, `exitCode` and `output` say how.",
      ERR_DUTKIT_UBOOT_TIMEOUT: "U-Boot did not show its prompt in time.",
      ERR_DUTKIT_UBOOT_BAD_OUTPUT: "U-Boot printed an error (`badPattern`) while a command ran.",
      ERR_DUTKIT_UBOOT_NO_PROMPT: "Autoboot could not be stopped, or nothing answers on the serial line.",
      ERR_DUTKIT_QEMU_CONSOLE: "QEMU's serial console socket cannot be created.",
      ERR_DUTKIT_STORAGE_TRANSFER: "The resource stream of a storage upload or download could not be opened.",
    },
  },
  paths: {
    title: "Served-file paths (TFTP, HTTP, storage)",
    codes: {
      ERR_DUTKIT_PATH_INVALID: "A requested path has a NUL or control character.",
      ERR_DUTKIT_PATH_OUTSIDE_ROOT: "A requested path would leave the served root.",
      ERR_DUTKIT_PATH_NOT_FOUND: "A requested path does not exist under the served root.",
    },
  },
  tftpServer: {
    title: "TFTP server (`TftpServerError`)",
    codes: {
      ERR_TFTP_INVALID_OPTION: "A server option is out of range or contradicts another.",
      ERR_TFTP_NATIVE_UNAVAILABLE: "Native reads were required but the native read loop is not built.",
      ERR_TFTP_ROOT_NOT_FOUND: "The served root does not exist or is not a directory.",
      ERR_TFTP_ADDRESS_IN_USE: "The UDP port is already in use by another program.",
      ERR_TFTP_PORT_PRIVILEGED: "Binding a port below 1024 needs privilege.",
      ERR_TFTP_ADDRESS_NOT_AVAILABLE: "The host is not an address of this machine.",
      ERR_TFTP_BIND_FAILED: "The server socket cannot be bound for another reason.",
      ERR_TFTP_ALREADY_STARTED: "start() was called on a running server.",
      ERR_TFTP_NOT_RUNNING: "The server is not running.",
      ERR_TFTP_SOCKET: "The server socket failed.",
      ERR_TFTP_TRANSFER_SOCKET: "A transfer's own socket failed.",
      ERR_TFTP_INTERNAL: "A transfer failed on an unexpected error.",
      ERR_TFTP_WORKER: "A transfer worker thread failed.",
    },
  },
  tftpRefusal: {
    title: "TFTP refusals (`TftpRefusal`, one per TFTP error code)",
    codes: {
      ERR_TFTP_REFUSED: "Refused with TFTP code 0 (not defined); the message says why.",
      ERR_TFTP_FILE_NOT_FOUND: "TFTP code 1: file not found.",
      ERR_TFTP_ACCESS_VIOLATION: "TFTP code 2: access violation (outside the root, or not permitted).",
      ERR_TFTP_DISK_FULL: "TFTP code 3: disk full or allocation exceeded.",
      ERR_TFTP_ILLEGAL_OPERATION: "TFTP code 4: illegal TFTP operation.",
      ERR_TFTP_UNKNOWN_TRANSFER_ID: "TFTP code 5: unknown transfer ID.",
      ERR_TFTP_FILE_EXISTS: "TFTP code 6: the file already exists and overwriting is off.",
      ERR_TFTP_NO_SUCH_USER: "TFTP code 7: no such user.",
      ERR_TFTP_OPTION_REFUSED: "TFTP code 8: an option was refused.",
    },
  },
  httpServer: {
    title: "HTTP file server (`HttpServerError`)",
    codes: {
      ERR_HTTP_INVALID_OPTION: "A server option is invalid.",
      ERR_HTTP_ROOT_NOT_FOUND: "The served root does not exist or is not a directory.",
      ERR_HTTP_ADDRESS_IN_USE: "The TCP port is already in use by another program.",
      ERR_HTTP_PORT_PRIVILEGED: "Binding a port below 1024 needs privilege.",
      ERR_HTTP_ADDRESS_NOT_AVAILABLE: "The host is not an address of this machine.",
      ERR_HTTP_BIND_FAILED: "The server socket cannot be bound for another reason.",
      ERR_HTTP_ALREADY_STARTED: "start() was called on a running server.",
      ERR_HTTP_NOT_RUNNING: "The server is not running.",
    },
  },
} as const;

type Catalogue = typeof errorCatalogue;
export type ErrorCode = { [G in keyof Catalogue]: keyof Catalogue[G]["codes"] }[keyof Catalogue];

export const errorCodes: readonly ErrorCode[] = Object.values(errorCatalogue).flatMap(
  (group) => Object.keys(group.codes) as ErrorCode[],
);

const known = new Set<string>(errorCodes);

export function isErrorCode(code: string): code is ErrorCode {
  return known.has(code);
}
