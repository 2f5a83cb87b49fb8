/*
 * What it costs one core to write memory the other core has just read: the
 * per-call widened weights of the int8 GEMM (docs/gemm.md, "Kept widened
 * weights") are written in one parallel region and read by every thread in
 * the next, so each call writes lines another core holds. Two threads pinned
 * to CPUs 0 and 1; 1.18 MB (the widened weights of a 768 x 768 matrix). Each
 * round: the other thread reads the buffer, then this one writes it ("after
 * the other core read it"); this one reads it, then writes it again ("after
 * this core read it"), the other thread spinning meanwhile, so that both
 * vCPUs are busy in both cases. Native, not wasm: it measures the machine.
 *   gcc -O2 -pthread bench/probes/shared-writes.c -o build/shared-writes && build/shared-writes
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BYTES = 1179648, ROUNDS = 301 };

struct shared {
  uint8_t* buf;
  _Atomic int phase; /* 1: the reader reads; 2: it has; 9: it stops */
  volatile uint64_t sink;
};

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec * 1e6 + (double) t.tv_nsec / 1e3;
}

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static uint64_t read_lines(const uint8_t* buf) {
  uint64_t s = 0;
  for (size_t i = 0; i < BYTES; i += 64) s += buf[i];
  return s;
}

static void* reader(void* arg) {
  struct shared* sh = arg;
  pin(1);
  for (;;) {
    int p;
    while ((p = atomic_load(&sh->phase)) != 1 && p != 9) continue;
    if (p == 9) return NULL;
    sh->sink = read_lines(sh->buf);
    atomic_store(&sh->phase, 2);
  }
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*) a, y = *(const double*) b;
  return (x > y) - (x < y);
}

int main(void) {
  static double other[ROUNDS], own[ROUNDS];
  struct shared sh = {aligned_alloc(64, BYTES), 0, 0};
  if (sh.buf == NULL) return 1;
  memset(sh.buf, 1, BYTES);
  pin(0);
  pthread_t t;
  pthread_create(&t, NULL, reader, &sh);
  for (int r = 0; r < ROUNDS; r++) {
    atomic_store(&sh.phase, 1);
    while (atomic_load(&sh.phase) != 2) continue;
    double t0 = now_us();
    memset(sh.buf, r, BYTES);
    other[r] = now_us() - t0;
    sh.sink = read_lines(sh.buf);
    t0 = now_us();
    memset(sh.buf, r + 1, BYTES);
    own[r] = now_us() - t0;
  }
  atomic_store(&sh.phase, 9);
  pthread_join(t, NULL);
  qsort(other, ROUNDS, sizeof other[0], by_value);
  qsort(own, ROUNDS, sizeof own[0], by_value);
  printf("writing %d bytes, median of %d: %.1f us after the other core read them, %.1f us after this core did\n",
         BYTES, ROUNDS, other[ROUNDS / 2], own[ROUNDS / 2]);
  free(sh.buf);
  return 0;
}
