/* Packing of MatMulNBits weights for the blockwise kernels. The layout is
 * documented at qdq_nbits_pack in qdq.h: column groups of 8, per block the 8
 * scales and zero points, then the block's values in chunks of 4 k-values
 * ("c4") so that one splat of 4 activations meets 4 values of each column.
 * 4-bit chunks put columns 0-3 in the low nibbles and 4-7 in the high ones,
 * so one AND and one shift give two ready vectors. Column groups are packed
 * on the host's threads (docs/threads.md T6). */
#include <string.h>

#include "nbits-layout.h"
#include "parallel/parallel.h"

size_t qdq_nbits_packed_size(size_t n, size_t k, int bits, size_t block_size) {
  struct qdq_nbits_shape s;
  return qdq_nbits_shape(n, k, bits, block_size, &s) == 0 ? s.packed : 0;
}

static int32_t ort_zero_point(const uint8_t* zp, int bits, const struct qdq_nbits_shape* s,
                              size_t j, size_t b) {
  if (zp == NULL) return 1 << (bits - 1);
  if (bits == 8) return zp[j * s->zp_row + b];
  const uint8_t v = zp[j * s->zp_row + b / 2];
  return (b & 1) ? v >> 4 : v & 15;
}

static int32_t ort_value(const uint8_t* blk, int bits, size_t r) {
  if (bits == 8) return blk[r];
  return (r & 1) ? blk[r / 2] >> 4 : blk[r / 2] & 15;
}

/* Work per weight element, in the unit of qdq_parallel_tasks (an int8
 * multiply-add of the int8 GEMM, 0.08-0.13 ns here): 2.5-3.4 ns measured on
 * one thread at 4096 x 4096, 4-bit, block 32 (`node bench/threads-nbits.js
 * --quantize`). */
#define QDQ_NBITS_PACK_WORK 30.0

struct pack_run {
  struct qdq_nbits_shape s;
  size_t n, k, block_size, tasks;
  int bits;
  const uint8_t* b;
  const float* scales;
  const uint8_t* zero_points;
  uint8_t* out; /* the first column group */
};

/* Task t of `tasks` packs the column groups [G t / tasks, G (t + 1) / tasks):
 * each group's bytes depend on its 8 columns alone. */
static void pack_task(void* ctx, size_t task, size_t thread) {
  (void) thread;
  const struct pack_run* p = ctx;
  const struct qdq_nbits_shape* s = &p->s;
  const size_t n = p->n, k = p->k, block_size = p->block_size;
  const int bits = p->bits;
  for (size_t g = s->groups * task / p->tasks; g < s->groups * (task + 1) / p->tasks; g++) {
    uint8_t* out = p->out + g * s->group_bytes;
    for (size_t bb = 0; bb < s->kb; bb++) {
      float* sc = (float*) out;
      uint8_t* zp = out + 8 * sizeof(float);
      uint8_t* data = out + QDQ_NBITS_BLOCK_META_BYTES;
      int32_t zps[QDQ_NBITS_NR];
      for (size_t c = 0; c < QDQ_NBITS_NR; c++) {
        const size_t j = g * QDQ_NBITS_NR + c;
        zps[c] = j < n ? ort_zero_point(p->zero_points, bits, s, j, bb) : 1 << (bits - 1);
        sc[c] = j < n ? p->scales[j * s->kb + bb] : 0.0f;
        zp[c] = (uint8_t) zps[c];
      }
      for (size_t t = 0; t < block_size / 4; t++) {
        for (size_t c = 0; c < QDQ_NBITS_NR; c++) {
          const size_t j = g * QDQ_NBITS_NR + c;
          const uint8_t* blk = j < n ? p->b + (j * s->kb + bb) * s->blob : NULL;
          for (size_t r = 0; r < 4; r++) {
            const size_t rr = 4 * t + r;
            const int32_t q = blk != NULL && bb * block_size + rr < k ? ort_value(blk, bits, rr) : zps[c];
            if (bits == 8) {
              data[32 * t + 4 * c + r] = (uint8_t) q;
            } else if (c < 4) {
              data[16 * t + 4 * c + r] = (uint8_t) q;
            } else {
              data[16 * t + 4 * (c - 4) + r] |= (uint8_t) (q << 4);
            }
          }
        }
      }
      out += s->block_bytes;
    }
  }
}

int qdq_nbits_pack(size_t n, size_t k, int bits, size_t block_size, const uint8_t* b,
                   const float* scales, const uint8_t* zero_points, void* packed) {
  struct pack_run p = {0};
  const int err = qdq_nbits_shape(n, k, bits, block_size, &p.s);
  if (err != 0) return err;
  uint32_t* header = (uint32_t*) packed;
  header[0] = (uint32_t) bits;
  header[1] = (uint32_t) block_size;
  header[2] = (uint32_t) n;
  header[3] = (uint32_t) k;
  p.n = n;
  p.k = k;
  p.block_size = block_size;
  p.bits = bits;
  p.b = b;
  p.scales = scales;
  p.zero_points = zero_points;
  p.out = (uint8_t*) packed + QDQ_NBITS_HEADER_BYTES;
  p.tasks = qdq_parallel_tasks(QDQ_NBITS_PACK_WORK * (double) p.s.nk, p.s.groups, QDQ_SPLIT_BESIDE_COPIES);
  qdq_parallelize(pack_task, &p, p.tasks, p.tasks);
  return 0;
}
