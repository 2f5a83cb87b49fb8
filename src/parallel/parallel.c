/* The seam between operators and the host's thread pool (js/runtime/pool.js).
 * Shared-memory builds (QDQ_THREADS) import three functions from the host; the
 * others run every task on the calling thread. */
#include "parallel/parallel.h"

#include "qdq.h"

#if defined(QDQ_THREADS)
__attribute__((import_module("env"), import_name("qdq_host_tasks"))) size_t qdq_host_tasks(double work,
                                                                                         size_t units,
                                                                                         int32_t split);
__attribute__((import_module("env"), import_name("qdq_host_parallelize"))) void qdq_host_parallelize(
    qdq_task_fn fn, void* ctx, size_t tasks, size_t threads, const uint32_t* marks, size_t marks_count);

__attribute__((import_module("env"), import_name("qdq_host_parallelize_input"))) void qdq_host_parallelize_input(
    qdq_task_fn fn, void* ctx, size_t tasks, size_t threads, const uint32_t* marks, size_t marks_count);

void qdq_parallelize_input_marked(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads, const uint32_t* marks,
                                  size_t marks_count) {
  if (tasks == 0) return;
  qdq_host_parallelize_input(fn, ctx, tasks, threads == 0 ? 1 : threads < tasks ? threads : tasks, marks,
                             marks_count);
}

void qdq_parallelize_input(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads) {
  qdq_parallelize_input_marked(fn, ctx, tasks, threads, NULL, 0);
}

size_t qdq_parallel_tasks(double work, size_t units, enum qdq_split split) {
  const size_t t = qdq_host_tasks(work, units, (int32_t) split);
  return t == 0 ? 1 : t > units ? units : t;
}

void qdq_parallelize_marked(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads, const uint32_t* marks,
                            size_t marks_count) {
  if (threads <= 1 || tasks <= 1) {
    for (size_t t = 0; t < tasks; t++) fn(ctx, t, 0);
    return;
  }
  qdq_host_parallelize(fn, ctx, tasks, threads < tasks ? threads : tasks, marks, marks_count);
}

void qdq_parallelize(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads) {
  qdq_parallelize_marked(fn, ctx, tasks, threads, NULL, 0);
}
#else
size_t qdq_parallel_tasks(double work, size_t units, enum qdq_split split) {
  (void) work;
  (void) units;
  (void) split;
  return 1;
}

void qdq_parallelize(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads) {
  (void) threads;
  for (size_t t = 0; t < tasks; t++) fn(ctx, t, 0);
}

void qdq_parallelize_marked(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads, const uint32_t* marks,
                            size_t marks_count) {
  (void) marks;
  (void) marks_count;
  qdq_parallelize(fn, ctx, tasks, threads);
}

void qdq_parallelize_input(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads) {
  qdq_parallelize(fn, ctx, tasks, threads);
}

void qdq_parallelize_input_marked(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads, const uint32_t* marks,
                                  size_t marks_count) {
  (void) marks;
  (void) marks_count;
  qdq_parallelize(fn, ctx, tasks, threads);
}
#endif

void qdq_parallel_run(void (*fn)(void*, size_t, size_t), void* ctx, size_t task, size_t thread) {
  fn(ctx, task, thread);
}
