/* qdq_streamed_range (streamed-range.h). */
#include "operators/streamed-range.h"

#include <math.h>
#include <stdlib.h>

#include "config.h"
#include "parallel/parallel.h"

struct streamed_range {
  const float* x;
  size_t n;
  float* lo;
  float* hi;
  long* bad;
};

static void streamed_range_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct streamed_range* r = ctx;
  const size_t per = QDQ_INPUT_BLOCK_BYTES / sizeof(float);
  const size_t begin = task * per, end = r->n - begin < per ? r->n : begin + per;
  r->lo[task] = INFINITY;
  r->hi[task] = -INFINITY;
  r->bad[task] = qdq_config()->f32_rminmax((end - begin) * sizeof(float), r->x + begin, &r->lo[task], &r->hi[task]);
}

int qdq_streamed_range(const float* x, size_t n, size_t threads, float* lo, float* hi, long* first) {
  const size_t per = QDQ_INPUT_BLOCK_BYTES / sizeof(float), blocks = (n + per - 1) / per;
  void* slots = malloc(blocks * (2 * sizeof(float) + sizeof(long)));
  if (slots == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
  struct streamed_range r = {x, n, slots, (float*) slots + blocks, (long*) ((float*) slots + 2 * blocks)};
  qdq_parallelize_input(streamed_range_task, &r, blocks, threads);
  *first = -1;
  for (size_t t = 0; t < blocks; t++) {
    if (r.bad[t] >= 0) {
      *first = (long) (t * per) + r.bad[t];
      break;
    }
    *lo = r.lo[t] < *lo ? r.lo[t] : *lo;
    *hi = r.hi[t] > *hi ? r.hi[t] : *hi;
  }
  free(slots);
  return 0;
}
