/*
 * Node-API binding of the native read loop (read-loop.c): transfer sockets, a thread per
 * transfer, and its report back to JavaScript through a thread-safe function. The functions
 * and the report's fields are described by NativeReadLoop in src/tftp/native.ts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "read-loop.h"

typedef struct {
  read_transfer_t read;
  pthread_t thread;
  int running; /* a thread was started and not joined yet */
  napi_threadsafe_function on_end;
} native_transfer_t;

static void *native_transfer_thread(void *arg) {
  native_transfer_t *t = arg;
  read_transfer_run(&t->read);
  /* The queued call owns a copy: the transfer may be closed and freed before it runs. */
  report_t *report = malloc(sizeof *report);
  if (report) {
    *report = t->read.result;
    if (napi_call_threadsafe_function(t->on_end, report, napi_tsfn_blocking) != napi_ok) free(report);
  }
  napi_release_threadsafe_function(t->on_end, napi_tsfn_release);
  return NULL;
}

#define CHECK(call)                                                                          \
  do {                                                                                       \
    if ((call) != napi_ok) {                                                                 \
      napi_throw_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: " #call " failed");            \
      return NULL;                                                                           \
    }                                                                                        \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int error) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(error));
  napi_throw_error(env, "ERR_TFTP_NATIVE_SOCKET", message);
  return NULL;
}

static void stop_thread(native_transfer_t *t) {
  if (!t->running) return;
  atomic_store(&t->read.abort_requested, 1);
  (void)!write(t->read.wake[1], "x", 1);
  pthread_join(t->thread, NULL);
  t->running = 0;
}

static void release_transfer(native_transfer_t *t) {
  stop_thread(t);
  if (t->read.sock >= 0) close(t->read.sock);
  if (t->read.wake[0] >= 0) close(t->read.wake[0]);
  if (t->read.wake[1] >= 0) close(t->read.wake[1]);
  t->read.sock = t->read.wake[0] = t->read.wake[1] = -1;
  read_transfer_free(&t->read);
}

static void finalize_transfer(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release_transfer(data);
  free(data);
}

static native_transfer_t *unwrap(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: not a transfer handle");
    return NULL;
  }
  return data;
}

/* Reads a call's `count` arguments, the first a transfer handle: NULL (an exception thrown) if not. */
static native_transfer_t *transfer_call(napi_env env, napi_callback_info info, size_t count, napi_value *argv) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < count) {
    napi_throw_type_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: missing arguments");
    return NULL;
  }
  return unwrap(env, argv[0]);
}

static int get_string(napi_env env, napi_value value, char *buffer, size_t size) {
  size_t length = 0;
  return napi_get_value_string_utf8(env, value, buffer, size, &length) == napi_ok && length < size - 1;
}

/* open(family 4|6, localAddress, peerAddress, peerPort) -> [handle, localPort] */
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t family = 0, peer_port = 0;
  char local[64], peer[64];
  CHECK(napi_get_value_int32(env, argv[0], &family));
  CHECK(napi_get_value_int32(env, argv[3], &peer_port));
  if (!get_string(env, argv[1], local, sizeof local) || !get_string(env, argv[2], peer, sizeof peer)) {
    napi_throw_type_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: address too long");
    return NULL;
  }
  struct sockaddr_storage local_addr = {0}, peer_addr = {0};
  socklen_t addr_length;
  if (family == 6) {
    struct sockaddr_in6 *l = (void *)&local_addr, *p = (void *)&peer_addr;
    l->sin6_family = p->sin6_family = AF_INET6;
    p->sin6_port = htons((uint16_t)peer_port);
    if (inet_pton(AF_INET6, local, &l->sin6_addr) != 1 || inet_pton(AF_INET6, peer, &p->sin6_addr) != 1)
      return throw_errno(env, "parse address", EINVAL);
    addr_length = sizeof(struct sockaddr_in6);
  } else {
    struct sockaddr_in *l = (void *)&local_addr, *p = (void *)&peer_addr;
    l->sin_family = p->sin_family = AF_INET;
    p->sin_port = htons((uint16_t)peer_port);
    if (inet_pton(AF_INET, local, &l->sin_addr) != 1 || inet_pton(AF_INET, peer, &p->sin_addr) != 1)
      return throw_errno(env, "parse address", EINVAL);
    addr_length = sizeof(struct sockaddr_in);
  }
  int sock = socket(local_addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return throw_errno(env, "socket", errno);
  int one = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(sock, (struct sockaddr *)&local_addr, addr_length) < 0 ||
      connect(sock, (struct sockaddr *)&peer_addr, addr_length) < 0 ||
      getsockname(sock, (struct sockaddr *)&local_addr, &addr_length) < 0) {
    int error = errno;
    close(sock);
    return throw_errno(env, "open transfer socket", error);
  }
  native_transfer_t *t = calloc(1, sizeof(native_transfer_t));
  if (!t || pipe2(t->read.wake, O_CLOEXEC | O_NONBLOCK) < 0) {
    int error = t ? errno : ENOMEM;
    close(sock);
    free(t);
    return throw_errno(env, "open transfer socket", error);
  }
  t->read.sock = sock;
  uint16_t port = family == 6 ? ntohs(((struct sockaddr_in6 *)&local_addr)->sin6_port)
                              : ntohs(((struct sockaddr_in *)&local_addr)->sin_port);
  napi_value result, handle, port_value;
  CHECK(napi_create_external(env, t, finalize_transfer, NULL, &handle));
  CHECK(napi_create_uint32(env, port, &port_value));
  CHECK(napi_create_array_with_length(env, 2, &result));
  CHECK(napi_set_element(env, result, 0, handle));
  CHECK(napi_set_element(env, result, 1, port_value));
  return result;
}

/* send(handle, bytes): one datagram to the client, now (ERROR packets). */
static napi_value send_datagram(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  native_transfer_t *t = transfer_call(env, info, 2, argv);
  if (!t) return NULL;
  void *data;
  size_t length;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &length));
  if (t->read.sock >= 0) (void)!send(t->read.sock, data, length, MSG_DONTWAIT);
  return NULL;
}

static double get_number(napi_env env, napi_value object, const char *name) {
  napi_value value;
  double number = 0;
  if (napi_get_named_property(env, object, name, &value) == napi_ok) napi_get_value_double(env, value, &number);
  return number;
}

static void set_number(napi_env env, napi_value object, const char *name, double number) {
  napi_value value;
  napi_create_double(env, number, &value);
  napi_set_named_property(env, object, name, value);
}

static napi_value report_object(napi_env env, const report_t *report) {
  napi_value result, awaiting, packet;
  napi_create_object(env, &result);
  set_number(env, result, "reason", report->reason);
  set_number(env, result, "detail", report->detail);
  set_number(env, result, "bytes", (double)report->bytes);
  set_number(env, result, "blocks", (double)report->blocks);
  set_number(env, result, "retransmits", (double)report->retransmits);
  napi_get_boolean(env, report->awaiting_oack, &awaiting);
  napi_set_named_property(env, result, "awaitingOack", awaiting);
  if (report->reason == END_CLIENT_ERROR) {
    napi_create_buffer_copy(env, report->error_length, report->error_packet, NULL, &packet);
    napi_set_named_property(env, result, "errorPacket", packet);
  }
  return result;
}

/* Runs on the JS thread once the transfer thread ended: onEnd(report). */
static void call_on_end(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  report_t *report = data;
  if (env != NULL) {
    napi_value undefined, result = report_object(env, report);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, callback, 1, &result, NULL);
  }
  free(report);
}

/* startRead(handle, fd, {size, blksize, windowsize, initialMs, minMs, maxMs, fixedMs, retries}, oack|null, onEnd) */
static napi_value start_read(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  native_transfer_t *t = transfer_call(env, info, 5, argv);
  if (!t) return NULL;
  if (t->running || t->read.sock < 0) {
    napi_throw_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: transfer already started or closed");
    return NULL;
  }
  CHECK(napi_get_value_int32(env, argv[1], &t->read.file));
  t->read.size = (int64_t)get_number(env, argv[2], "size");
  t->read.blksize = (uint32_t)get_number(env, argv[2], "blksize");
  t->read.windowsize = (uint32_t)get_number(env, argv[2], "windowsize");
  t->read.initial_ms = get_number(env, argv[2], "initialMs");
  t->read.min_ms = get_number(env, argv[2], "minMs");
  t->read.max_ms = get_number(env, argv[2], "maxMs");
  t->read.fixed_ms = get_number(env, argv[2], "fixedMs");
  t->read.retries = (int)get_number(env, argv[2], "retries");
  if (t->read.blksize < 8 || t->read.blksize > 65464 || t->read.windowsize < 1 || t->read.windowsize > 65535) {
    napi_throw_range_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: blksize or windowsize out of range");
    return NULL;
  }
  napi_valuetype oack_type;
  CHECK(napi_typeof(env, argv[3], &oack_type));
  if (oack_type != napi_null && oack_type != napi_undefined) {
    void *data;
    size_t length;
    CHECK(napi_get_buffer_info(env, argv[3], &data, &length));
    t->read.oack = malloc(length);
    if (!t->read.oack) return throw_errno(env, "startRead", ENOMEM);
    memcpy(t->read.oack, data, length);
    t->read.oack_length = length;
  }
  read_transfer_init(&t->read);
  napi_value name;
  CHECK(napi_create_string_utf8(env, "dutkit tftp read", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_threadsafe_function(env, argv[4], NULL, name, 0, 1, NULL, NULL, NULL, call_on_end,
                                        &t->on_end));
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, 256 * 1024);
  int error = pthread_create(&t->thread, &attributes, native_transfer_thread, t);
  pthread_attr_destroy(&attributes);
  if (error) {
    napi_release_threadsafe_function(t->on_end, napi_tsfn_abort);
    return throw_errno(env, "start transfer thread", error);
  }
  t->running = 1;
  return NULL;
}

/*
 * abort(handle) -> report: stops the thread (END_ABORTED, unless it had ended already) and
 * waits for it, so that the transfer ends now; its queued onEnd call then comes too late.
 * Returns undefined when the transfer never started or was already stopped.
 */
static napi_value abort_transfer(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  native_transfer_t *t = transfer_call(env, info, 1, argv);
  if (!t || !t->running) return NULL;
  stop_thread(t);
  return report_object(env, &t->read.result);
}

/*
 * settled(handle) -> boolean: whether the transfer's thread handled every packet its socket
 * received, and waits for more (or never ran). False while it works, or ended and its onEnd
 * call is on the way.
 */
static napi_value settled_transfer(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  native_transfer_t *t = transfer_call(env, info, 1, argv);
  if (!t) return NULL;
  int settled = !t->running;
  if (!settled && atomic_load(&t->read.waiting)) {
    struct pollfd unread = {t->read.sock, POLLIN, 0};
    settled = poll(&unread, 1, 0) == 0;
  }
  napi_value result;
  CHECK(napi_get_boolean(env, settled, &result));
  return result;
}

/* close(handle): waits for the thread, closes the socket. Safe to call twice. */
static napi_value close_transfer(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  native_transfer_t *t = transfer_call(env, info, 1, argv);
  if (t) release_transfer(t);
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor functions[] = {
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_datagram, NULL, NULL, NULL, napi_default, NULL},
      {"startRead", NULL, start_read, NULL, NULL, NULL, napi_default, NULL},
      {"abort", NULL, abort_transfer, NULL, NULL, NULL, napi_default, NULL},
      {"settled", NULL, settled_transfer, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_transfer, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) != napi_ok)
    return NULL;
  return exports;
}
