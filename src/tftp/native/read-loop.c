/*
 * The data phase of a TFTP read transfer (octet, from an open file) in a thread of its own:
 * each block leaves as soon as the ACK before it arrives, without a turn of Node's event loop,
 * which costs about 20 us per packet and dominates lock-step transfers of large blocks.
 *
 * The protocol rules are those of read-transfer.ts (windows, rollover, no resend on duplicate
 * ACKs, adaptive timeout with Karn's rule). This file only moves packets: it reports why the
 * transfer ended, and native-read-transfer.ts turns that into messages and ERROR packets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Why a transfer ended; mirrored by NativeEnd in native.ts. */
enum end_reason {
  GO_ON = -1, /* not an end: the transfer continues */
  END_COMPLETED = 0,
  END_CLIENT_ERROR = 1,
  END_SHORT_PACKET = 2,
  END_UNEXPECTED_OPCODE = 3,
  END_TIMED_OUT = 4,
  END_UNREACHABLE = 5,
  END_READ_FAILED = 6,
  END_ABORTED = 7,
  END_SOCKET_FAILED = 8,
};

#define OP_DATA 3
#define OP_ACK 4
#define OP_ERROR 5
#define MAX_ERROR_PACKET 1024

typedef struct {
  int64_t block; /* 0: empty */
  uint32_t length;
  uint8_t *packet; /* 4-byte header, then the block */
} slot_t;

/* How a transfer ended, as onEnd receives it. */
typedef struct {
  int reason, detail, awaiting_oack;
  int64_t bytes, blocks, retransmits;
  uint8_t error_packet[MAX_ERROR_PACKET];
  size_t error_length;
} report_t;

typedef struct {
  int sock;
  int wake[2]; /* abort() writes to wake[1] to interrupt the thread's poll */
  pthread_t thread;
  int running;
  atomic_int abort_requested;
  napi_threadsafe_function on_end;
  /* parameters */
  int file;
  int64_t size;
  uint32_t blksize, windowsize;
  uint8_t *oack;
  size_t oack_length;
  double initial_ms, min_ms, max_ms, fixed_ms;
  int retries;
  /* transfer state */
  slot_t *slots;
  uint32_t slot_count; /* the window and one block read ahead, or the whole file when smaller */
  uint8_t *slot_memory;
  int64_t acked, sent, last_block, timed_block;
  uint32_t last_length;
  double timed_since, deadline, srtt, rttvar, rto;
  int retries_left, unreachable, awaiting_oack;
  report_t result; /* complete once the thread ended */
} transfer_t;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double clamp_rto(transfer_t *t, double ms) {
  return ms < t->min_ms ? t->min_ms : ms > t->max_ms ? t->max_ms : ms;
}

/* RFC 6298 smoothing, as RetransmitTimeout.sample(). */
static void sample_rtt(transfer_t *t, double rtt) {
  if (t->fixed_ms > 0) return;
  if (t->srtt == 0) {
    t->srtt = rtt;
    t->rttvar = rtt / 2;
  } else {
    double diff = t->srtt > rtt ? t->srtt - rtt : rtt - t->srtt;
    t->rttvar = 0.75 * t->rttvar + 0.25 * diff;
    t->srtt = 0.875 * t->srtt + 0.125 * rtt;
  }
  t->rto = clamp_rto(t, t->srtt + 4 * t->rttvar);
}

/* The block's packet, read from the file unless its slot still holds it; NULL on a read error. */
static slot_t *load_block(transfer_t *t, int64_t block) {
  slot_t *slot = &t->slots[block % t->slot_count];
  if (slot->block == block) return slot;
  int64_t offset = (block - 1) * (int64_t)t->blksize;
  int64_t wanted = t->size - offset;
  if (wanted > t->blksize) wanted = t->blksize;
  if (wanted < 0) wanted = 0;
  int64_t got = 0;
  while (got < wanted) {
    ssize_t n = pread(t->file, slot->packet + 4 + got, (size_t)(wanted - got), offset + got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      t->result.detail = errno;
      slot->block = 0;
      return NULL;
    }
    if (n == 0) break; /* the file shrank: the short block ends the transfer */
    got += n;
  }
  slot->packet[0] = 0;
  slot->packet[1] = OP_DATA;
  slot->packet[2] = (uint8_t)((block >> 8) & 0xff);
  slot->packet[3] = (uint8_t)(block & 0xff);
  slot->block = block;
  slot->length = (uint32_t)got;
  return slot;
}

/* Sends a packet; returns GO_ON, or an end reason. ICMP port unreachable is only a hint. */
static int send_packet(transfer_t *t, const uint8_t *packet, size_t length) {
  for (;;) {
    if (send(t->sock, packet, length, 0) >= 0) return GO_ON;
    if (errno == EINTR) continue;
    if (errno == ECONNREFUSED) {
      t->unreachable = 1;
      return GO_ON;
    }
    t->result.detail = errno;
    return END_SOCKET_FAILED;
  }
}

static int send_oack(transfer_t *t) {
  t->deadline = now_ms() + t->rto;
  return send_packet(t, t->oack, t->oack_length);
}

/* Sends blocks until the window is full or the last block is out (ReadTransfer.pump). */
static int pump(transfer_t *t) {
  int64_t limit = t->acked + t->windowsize;
  if (limit > t->last_block) limit = t->last_block;
  while (t->sent < limit) {
    int64_t block = t->sent + 1;
    slot_t *slot = load_block(t, block);
    if (!slot) return END_READ_FAILED;
    int failed = send_packet(t, slot->packet, 4 + (size_t)slot->length);
    if (failed != GO_ON) return failed;
    t->sent = block;
    if (t->timed_block == 0) {
      t->timed_block = block;
      t->timed_since = now_ms();
    }
    if (slot->length < t->blksize) {
      t->last_block = block;
      t->last_length = slot->length;
      break;
    }
  }
  if (t->sent > t->acked) t->deadline = now_ms() + t->rto;
  /* Read the next block while the client works, as a double-buffering server does. A failure
   * here is reported when the block is needed. */
  if (t->sent < t->last_block) load_block(t, t->sent + 1);
  return GO_ON;
}

static void progressed(transfer_t *t) {
  t->retries_left = t->retries;
  t->unreachable = 0;
}

/* Returns GO_ON, END_COMPLETED once the last block is acknowledged, or a failure. */
static int handle_ack(transfer_t *t, uint32_t wire_block) {
  if (t->awaiting_oack) {
    if (wire_block != 0) return GO_ON;
    t->awaiting_oack = 0;
    progressed(t);
    return pump(t);
  }
  int64_t advance = (int64_t)((wire_block - (uint32_t)t->acked) & 0xffff);
  if (advance == 0 || advance > t->sent - t->acked) return GO_ON;
  t->acked += advance;
  t->result.blocks = t->acked;
  t->result.bytes = t->acked * (int64_t)t->blksize;
  progressed(t);
  if (t->timed_block != 0 && t->acked >= t->timed_block) {
    sample_rtt(t, now_ms() - t->timed_since);
    t->timed_block = 0;
  }
  if (t->acked >= t->last_block) {
    t->result.bytes = (t->acked - 1) * (int64_t)t->blksize + t->last_length;
    return END_COMPLETED;
  }
  t->sent = t->acked; /* restart right after the acknowledged block */
  return pump(t);
}

static int handle_packet(transfer_t *t, const uint8_t *packet, size_t length) {
  if (length < 4) return END_SHORT_PACKET;
  int opcode = (packet[0] << 8) | packet[1];
  if (opcode == OP_ACK) return handle_ack(t, (uint32_t)((packet[2] << 8) | packet[3]));
  if (opcode == OP_ERROR) {
    t->result.error_length = length < MAX_ERROR_PACKET ? length : MAX_ERROR_PACKET;
    memcpy(t->result.error_packet, packet, t->result.error_length);
    return END_CLIENT_ERROR;
  }
  t->result.detail = opcode;
  return END_UNEXPECTED_OPCODE;
}

static int expire(transfer_t *t) {
  if (t->unreachable) return END_UNREACHABLE;
  if (t->retries_left <= 0) return END_TIMED_OUT;
  t->retries_left--;
  if (t->fixed_ms == 0) t->rto = clamp_rto(t, t->rto * 2);
  t->result.retransmits++;
  t->timed_block = 0; /* Karn: no round-trip sample across a retransmission */
  if (t->awaiting_oack) return send_oack(t);
  t->sent = t->acked;
  return pump(t);
}

static int run_transfer(transfer_t *t) {
  static uint8_t unused;
  uint8_t incoming[MAX_ERROR_PACKET];
  int failed = t->awaiting_oack ? send_oack(t) : pump(t);
  if (failed != GO_ON) return failed;
  for (;;) {
    if (atomic_load(&t->abort_requested)) return END_ABORTED;
    double left = t->deadline - now_ms();
    if (left <= 0) {
      failed = expire(t);
      if (failed != GO_ON) return failed;
      continue;
    }
    struct pollfd fds[2] = {{t->sock, POLLIN, 0}, {t->wake[0], POLLIN, 0}};
    int ready = poll(fds, 2, (int)left + 1);
    if (ready < 0 && errno != EINTR) {
      t->result.detail = errno;
      return END_SOCKET_FAILED;
    }
    if (ready <= 0) continue;
    if (fds[1].revents) {
      (void)!read(t->wake[0], &unused, 1);
      continue;
    }
    ssize_t length = recv(t->sock, incoming, sizeof incoming, MSG_DONTWAIT);
    if (length < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      if (errno == ECONNREFUSED) {
        t->unreachable = 1;
        continue;
      }
      t->result.detail = errno;
      return END_SOCKET_FAILED;
    }
    failed = handle_packet(t, incoming, (size_t)length);
    if (failed != GO_ON) return failed;
  }
}

static void *transfer_thread(void *arg) {
  transfer_t *t = arg;
  size_t slot_bytes = 4 + (size_t)t->blksize;
  int64_t blocks_in_file = t->size / t->blksize + 1;
  size_t count = (size_t)(blocks_in_file < t->windowsize ? blocks_in_file : t->windowsize) + 1;
  t->slot_count = (uint32_t)count;
  t->slots = calloc(count, sizeof(slot_t));
  t->slot_memory = malloc(count * slot_bytes);
  if (!t->slots || !t->slot_memory) {
    t->result.reason = END_READ_FAILED;
    t->result.detail = ENOMEM;
  } else {
    for (size_t i = 0; i < count; i++) t->slots[i].packet = t->slot_memory + i * slot_bytes;
    t->result.reason = run_transfer(t);
  }
  t->result.awaiting_oack = t->awaiting_oack;
  /* The queued call owns a copy: the transfer may be closed and freed before it runs. */
  report_t *report = malloc(sizeof *report);
  if (report) {
    *report = t->result;
    if (napi_call_threadsafe_function(t->on_end, report, napi_tsfn_blocking) != napi_ok) free(report);
  }
  napi_release_threadsafe_function(t->on_end, napi_tsfn_release);
  return NULL;
}

/* ---- Node-API surface ---- */

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

static void stop_thread(transfer_t *t) {
  if (!t->running) return;
  atomic_store(&t->abort_requested, 1);
  (void)!write(t->wake[1], "x", 1);
  pthread_join(t->thread, NULL);
  t->running = 0;
}

static void release_transfer(transfer_t *t) {
  stop_thread(t);
  if (t->sock >= 0) close(t->sock);
  if (t->wake[0] >= 0) close(t->wake[0]);
  if (t->wake[1] >= 0) close(t->wake[1]);
  t->sock = t->wake[0] = t->wake[1] = -1;
  free(t->slots);
  free(t->slot_memory);
  free(t->oack);
  t->slots = NULL;
  t->slot_memory = NULL;
  t->oack = NULL;
}

static void finalize_transfer(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release_transfer(data);
  free(data);
}

static transfer_t *unwrap(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: not a transfer handle");
    return NULL;
  }
  return data;
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
  transfer_t *t = calloc(1, sizeof(transfer_t));
  if (!t || pipe2(t->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
    int error = t ? errno : ENOMEM;
    close(sock);
    free(t);
    return throw_errno(env, "open transfer socket", error);
  }
  t->sock = sock;
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
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  transfer_t *t = unwrap(env, argv[0]);
  if (!t) return NULL;
  void *data;
  size_t length;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &length));
  if (t->sock >= 0) (void)!send(t->sock, data, length, MSG_DONTWAIT);
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
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  transfer_t *t = unwrap(env, argv[0]);
  if (!t) return NULL;
  if (t->running || t->sock < 0) {
    napi_throw_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: transfer already started or closed");
    return NULL;
  }
  CHECK(napi_get_value_int32(env, argv[1], &t->file));
  t->size = (int64_t)get_number(env, argv[2], "size");
  t->blksize = (uint32_t)get_number(env, argv[2], "blksize");
  t->windowsize = (uint32_t)get_number(env, argv[2], "windowsize");
  t->initial_ms = get_number(env, argv[2], "initialMs");
  t->min_ms = get_number(env, argv[2], "minMs");
  t->max_ms = get_number(env, argv[2], "maxMs");
  t->fixed_ms = get_number(env, argv[2], "fixedMs");
  t->retries = (int)get_number(env, argv[2], "retries");
  if (t->blksize < 8 || t->blksize > 65464 || t->windowsize < 1 || t->windowsize > 65535) {
    napi_throw_range_error(env, "ERR_TFTP_NATIVE", "dutkit_tftp: blksize or windowsize out of range");
    return NULL;
  }
  napi_valuetype oack_type;
  CHECK(napi_typeof(env, argv[3], &oack_type));
  if (oack_type != napi_null && oack_type != napi_undefined) {
    void *data;
    size_t length;
    CHECK(napi_get_buffer_info(env, argv[3], &data, &length));
    t->oack = malloc(length);
    if (!t->oack) return throw_errno(env, "startRead", ENOMEM);
    memcpy(t->oack, data, length);
    t->oack_length = length;
    t->awaiting_oack = 1;
  }
  t->rto = t->fixed_ms > 0 ? t->fixed_ms : t->initial_ms;
  t->retries_left = t->retries;
  t->last_block = INT64_MAX;
  napi_value name;
  CHECK(napi_create_string_utf8(env, "dutkit tftp read", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_threadsafe_function(env, argv[4], NULL, name, 0, 1, NULL, NULL, NULL, call_on_end,
                                        &t->on_end));
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, 256 * 1024);
  int error = pthread_create(&t->thread, &attributes, transfer_thread, t);
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
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  transfer_t *t = unwrap(env, argv[0]);
  if (!t || !t->running) return NULL;
  stop_thread(t);
  return report_object(env, &t->result);
}

/* close(handle): waits for the thread, closes the socket. Safe to call twice. */
static napi_value close_transfer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  transfer_t *t = unwrap(env, argv[0]);
  if (t) release_transfer(t);
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor functions[] = {
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_datagram, NULL, NULL, NULL, napi_default, NULL},
      {"startRead", NULL, start_read, NULL, NULL, NULL, napi_default, NULL},
      {"abort", NULL, abort_transfer, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_transfer, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) != napi_ok)
    return NULL;
  return exports;
}
