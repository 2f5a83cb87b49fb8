/*
 * The affine hand-out (src/parallel/affine.h): every piece is taken exactly
 * once whoever takes it, a thread takes its home's pieces front first, and
 * a thread without any left takes the back of the part with the most left.
 * The last test races real threads on the same spans.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "parallel/affine.h"
#include "check.h"

void qdq_test_affine(int* passed, int* failed);


#define MAX_PARTS 6
#define MAX_PIECES 64

/* Homes are whole units, in order, as qdq_part_range splits them. */
static void test_split(void) {
  qdq_affine_span spans[MAX_PARTS];
  qdq_affine_split(spans, 3, 7, 2);
  const uint32_t want[3][2] = {{0, 4}, {4, 8}, {8, 14}};
  for (size_t t = 0; t < 3; t++) {
    CHECK((uint32_t) spans[t] == want[t][0] && (uint32_t) (spans[t] >> 32) == want[t][1],
          "7 units of 2 in 3 homes: home %zu is [%u, %u)", t, (unsigned) (uint32_t) spans[t],
          (unsigned) (uint32_t) (spans[t] >> 32));
  }
  qdq_affine_split(spans, 4, 2, 3);
  size_t empty = 0;
  for (size_t t = 0; t < 4; t++) empty += (uint32_t) spans[t] == (uint32_t) (spans[t] >> 32);
  CHECK(empty == 2, "2 units in 4 homes leave 2 empty, got %zu", empty);
}

/* Every order of takers, on one thread: each piece once, homes front first,
 * steals from the back of the fullest part, then SIZE_MAX. */
static void test_sequential(void) {
  uint32_t seed = 99;
  for (size_t parts = 1; parts <= 5; parts++) {
    for (size_t units = 0; units <= 9; units++) {
      for (size_t per = 1; per <= 3; per++) {
        for (int trial = 0; trial < 4; trial++) {
          qdq_affine_span spans[MAX_PARTS];
          qdq_affine_split(spans, parts, units, per);
          const size_t pieces = units * per;
          int seen[MAX_PIECES] = {0};
          int ok = 1, order = 1;
          for (size_t i = 0; i < pieces; i++) {
            seed = seed * 1664525u + 1013904223u;
            const size_t thread = (seed >> 16) % (parts + 1); /* thread % parts: more threads than homes */
            const qdq_affine_span before = spans[thread % parts];
            size_t most = 0;
            for (size_t t = 0; t < parts; t++) {
              const size_t left = (uint32_t) (spans[t] >> 32) - (uint32_t) spans[t];
              most = left > most ? left : most;
            }
            const size_t p = qdq_affine_take(spans, parts, thread);
            if (p >= pieces || seen[p]++) {
              ok = 0;
              break;
            }
            if ((uint32_t) before < (uint32_t) (before >> 32)) {
              order &= p == (uint32_t) before; /* the front of its own home */
            } else {
              /* the back of a part that had the most left */
              int found = 0;
              for (size_t t = 0; t < parts; t++) {
                const size_t left = (uint32_t) (spans[t] >> 32) - (uint32_t) spans[t];
                found |= (uint32_t) (spans[t] >> 32) == p && left + 1 == most;
              }
              order &= found;
            }
          }
          CHECK(ok, "parts %zu units %zu per %zu: a piece out of range or taken twice", parts, units, per);
          CHECK(order, "parts %zu units %zu per %zu: not home front first, then the fullest part's back", parts,
                units, per);
          CHECK(qdq_affine_take(spans, parts, 0) == SIZE_MAX, "parts %zu units %zu per %zu: SIZE_MAX when empty",
                parts, units, per);
        }
      }
    }
  }
}

struct race {
  qdq_affine_span spans[4];
  int taken[4 * 1100];
  size_t thread;
};

static void* racer(void* arg) {
  struct race* r = arg;
  const size_t thread = __atomic_fetch_add(&r->thread, 1, __ATOMIC_SEQ_CST);
  for (size_t p = qdq_affine_take(r->spans, 4, thread); p != SIZE_MAX; p = qdq_affine_take(r->spans, 4, thread)) {
    __atomic_fetch_add(&r->taken[p], 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}

/* Four threads race until nothing is left: each piece exactly once. */
static void test_race(void) {
  static struct race r;
  for (int round = 0; round < 20; round++) {
    memset(&r, 0, sizeof r);
    const size_t units = 1000 + (size_t) round * 3;
    qdq_affine_split(r.spans, 4, units, 4);
    pthread_t th[4];
    int created[4], started = 1;
    for (int i = 0; i < 4; i++) started &= created[i] = pthread_create(&th[i], NULL, racer, &r) == 0;
    for (int i = 0; i < 4; i++) {
      if (created[i]) pthread_join(th[i], NULL);
    }
    size_t wrong = 0;
    for (size_t p = 0; p < 4 * units; p++) wrong += r.taken[p] != 1;
    CHECK(started && wrong == 0, "round %d: %zu of %zu pieces not taken exactly once", round, wrong, 4 * units);
  }
}

void qdq_test_affine(int* passed, int* failed) {
  check_counters(passed, failed);
  test_split();
  test_sequential();
  test_race();
}
