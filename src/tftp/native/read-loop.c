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
#include "read-loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define OP_DATA 3
#define OP_ACK 4
#define OP_ERROR 5

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double clamp_rto(read_transfer_t *t, double ms) {
  return ms < t->min_ms ? t->min_ms : ms > t->max_ms ? t->max_ms : ms;
}

/* RFC 6298 smoothing, as RetransmitTimeout.sample(). */
static void sample_rtt(read_transfer_t *t, double rtt) {
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
static slot_t *load_block(read_transfer_t *t, int64_t block) {
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
static int send_packet(read_transfer_t *t, const uint8_t *packet, size_t length) {
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

static int send_oack(read_transfer_t *t) {
  t->deadline = now_ms() + t->rto;
  return send_packet(t, t->oack, t->oack_length);
}

/* Sends blocks until the window is full or the last block is out (ReadTransfer.pump). */
static int pump(read_transfer_t *t) {
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

static void progressed(read_transfer_t *t) {
  t->retries_left = t->retries;
  t->unreachable = 0;
}

/* Returns GO_ON, END_COMPLETED once the last block is acknowledged, or a failure. */
static int handle_ack(read_transfer_t *t, uint32_t wire_block) {
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

static int handle_packet(read_transfer_t *t, const uint8_t *packet, size_t length) {
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

static int expire(read_transfer_t *t) {
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

static int run_transfer(read_transfer_t *t) {
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
    atomic_store(&t->waiting, 1);
    int ready = poll(fds, 2, (int)left + 1);
    atomic_store(&t->waiting, 0);
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

void read_transfer_init(read_transfer_t *t) {
  t->rto = t->fixed_ms > 0 ? t->fixed_ms : t->initial_ms;
  t->retries_left = t->retries;
  t->last_block = INT64_MAX;
  t->awaiting_oack = t->oack != NULL;
}

void read_transfer_run(read_transfer_t *t) {
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
}

void read_transfer_free(read_transfer_t *t) {
  free(t->slots);
  free(t->slot_memory);
  free(t->oack);
  t->slots = NULL;
  t->slot_memory = NULL;
  t->oack = NULL;
}
