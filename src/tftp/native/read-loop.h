/*
 * The data phase of one TFTP read transfer (octet, from an open file), run by read_transfer_run
 * in a thread of its own. The state here belongs to that thread until it returns, except
 * abort_requested and the wake pipe, which stop it from another thread, and waiting, which
 * another thread reads.
 */
#ifndef DUTKIT_TFTP_READ_LOOP_H
#define DUTKIT_TFTP_READ_LOOP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

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
  int sock;    /* connected to the client */
  int wake[2]; /* a byte written to wake[1] interrupts the thread's poll */
  atomic_int abort_requested;
  atomic_int waiting; /* 1 while the thread waits in poll with every packet before handled */
  /* parameters */
  int file;
  int64_t size;
  uint32_t blksize, windowsize;
  uint8_t *oack; /* NULL: no OACK, block 1 goes first */
  size_t oack_length;
  double initial_ms, min_ms, max_ms, fixed_ms; /* fixed_ms > 0: negotiated timeout */
  int retries;
  /* state */
  slot_t *slots;
  uint32_t slot_count; /* the window and one block read ahead, or the whole file when smaller */
  uint8_t *slot_memory;
  int64_t acked, sent, last_block, timed_block;
  uint32_t last_length;
  double timed_since, deadline, srtt, rttvar, rto;
  int retries_left, unreachable, awaiting_oack;
  report_t result; /* complete once read_transfer_run returned */
} read_transfer_t;

/* Prepares the state from the parameters; call once before read_transfer_run. */
void read_transfer_init(read_transfer_t *t);
/* Runs the transfer to its end and fills t->result. Blocks; returns when the transfer ended. */
void read_transfer_run(read_transfer_t *t);
/* Frees what read_transfer_run allocated (and the OACK). */
void read_transfer_free(read_transfer_t *t);

#endif
