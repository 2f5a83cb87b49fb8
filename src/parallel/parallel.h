/* Internal: running an operator's work on the host's thread pool. Operators
 * split their work into `tasks` independent ranges (at most
 * qdq_parallel_tasks), allocate every per-task workspace BEFORE calling
 * qdq_parallelize (workers never allocate: malloc is not thread-safe in the
 * shared-memory builds), and run the same kernels in every task, so results
 * do not depend on the thread count. docs/threads.md. */
#ifndef QDQ_PARALLEL_H
#define QDQ_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

/* One task of an operator's work, run on thread `thread` (0 is the calling
 * thread): the thread index selects per-thread workspace, never the result. */
typedef void (*qdq_task_fn)(void* ctx, size_t task, size_t thread);

/* Runs fn(ctx, t, thread) for every t < tasks on `threads` threads (from
 * qdq_parallel_tasks), thread in [0, threads), 0 on the calling thread;
 * returns when all tasks have finished. Tasks are handed out in order, each
 * to the next thread that is free, so a late or slowed thread takes fewer:
 * operators split into more tasks than threads where work per task can be
 * uneven in time, and keep per-thread (not per-task) workspace. */
void qdq_parallelize(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads);

/* qdq_parallelize for a region whose tasks write an operator's output in
 * order: marks[2 i] tasks, marks[2 i + 1] bytes, both ascending, say that
 * once tasks [0, marks[2 i]) are finished the output's first
 * marks[2 i + 1] bytes are final. The host may then copy those bytes out
 * while later tasks run (js/runtime/pool.js); the results are the same. */
void qdq_parallelize_marked(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads, const uint32_t* marks,
                            size_t marks_count);

/* qdq_parallelize for a region whose task t reads block t (of
 * QDQ_INPUT_BLOCK_BYTES) of an input the host has not written yet
 * (QDQ_FLAG_INPUT_STREAMED): the host writes the blocks in order while the
 * other threads take tasks, each waiting for its block, then takes tasks
 * too. It always goes to the host, even for one thread, since the input
 * arrives through it. Builds without shared memory run the tasks in place. */
void qdq_parallelize_input(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads);

/* qdq_parallelize_input whose tasks also write an output in order, with the
 * marks of qdq_parallelize_marked: the host writes the input in, and copies
 * the finished output out, while the other threads compute (the streaming
 * operators' windows, docs/threads.md T5). */
void qdq_parallelize_input_marked(qdq_task_fn fn, void* ctx, size_t tasks, size_t threads, const uint32_t* marks,
                                  size_t marks_count);

/* What else a call does besides a region's work, which moves the point
 * where splitting the region pays (the host's threshold, docs/threads.md T4). */
enum qdq_split {
  /* Nothing much: kernels on operands already in wasm memory (the GEMMs and
   * their staging). While the workers still poll after a region, a split
   * costs no wake-up and pays from a quarter of the work. */
  QDQ_SPLIT_KERNELS = 0,
  /* The calling thread copies every element in or out around the region (the
   * streaming operators, the blockwise preparation): a split pays only from
   * the full threshold, polling workers or not. */
  QDQ_SPLIT_BESIDE_COPIES = 1,
  /* A window of a streaming operator's call that the host has already
   * decided to split (js/runtime/binding.js stream(), Pool#splitsStream):
   * all the threads there are, at most one per unit. */
  QDQ_SPLIT_WINDOW = 2,
};

/* Threads worth running `work` int8 multiply-adds (or operations weighted
 * alike) on, split into at most `units` independent pieces, in [1, units]:
 * the host's choice (js/runtime/pool.js: its threads, fewer when a thread's
 * share is below the measured threshold where waking it costs more than it
 * saves, which `split` moves, docs/threads.md); 1 in builds without shared
 * memory. Operators that split one task per thread use it as the task count too. */
size_t qdq_parallel_tasks(double work, size_t units, enum qdq_split split);

/* Work (in qdq_parallel_tasks' unit) per task of operators that split into
 * more tasks than threads: ~50 us, so the pool's cost per task (an
 * Atomics.add and a call, under a microsecond) stays below 1%, while a
 * region has enough tasks that a thread which wakes late or runs slowed
 * leaves at most one task's time of imbalance (docs/threads.md T1). */
#define QDQ_TASK_WORK ((double) (1 << 20))

/* Tasks for `work` on `threads` threads, in [threads, units] when
 * threads <= units: about one per QDQ_TASK_WORK, never fewer than the threads. */
static inline size_t qdq_task_count(double work, size_t threads, size_t units) {
  const double want = work / QDQ_TASK_WORK;
  size_t tasks = want < (double) units ? (size_t) want + 1 : units;
  if (tasks < threads) tasks = threads;
  return tasks < units ? tasks : units;
}

/* Tasks for a region of kernels split into `groups` column groups (the float
 * GEMM's and matmul's), ~QDQ_TASK_WORK each; *threads gets the threads to
 * run them on (qdq_parallel_tasks). One task when one thread. */
static inline size_t qdq_column_tasks(double work, size_t groups, size_t* threads) {
  *threads = qdq_parallel_tasks(work, groups, QDQ_SPLIT_KERNELS);
  return *threads > 1 ? qdq_task_count(work, *threads, groups) : 1;
}

/* [*begin, *end) of part `i` of `parts` equal parts of `units` units. */
static inline void qdq_part_range(size_t units, size_t i, size_t parts, size_t* begin, size_t* end) {
  /* In 64 bits: units * i passes 2^32 in wasm32's size_t from 2^16 units in 2^16 parts
   * (a histogram's elements in tasks of 64 Ki, a wide GEMM's column groups in tiles). */
  *begin = (size_t) ((uint64_t) units * i / parts);
  *end = (size_t) ((uint64_t) units * (i + 1) / parts);
}

/* The columns [*begin, *end) of task `task` of `tasks` when n columns are
 * split in groups of nr (the kernels' column tile): the task owns groups
 * [G task / tasks, G (task + 1) / tasks), G = ceil(n / nr). */
static inline void qdq_task_columns(size_t n, size_t nr, size_t task, size_t tasks, size_t* begin,
                                    size_t* end) {
  size_t g0, g1;
  qdq_part_range((n + nr - 1) / nr, task, tasks, &g0, &g1);
  *begin = g0 * nr;
  *end = g1 * nr < n ? g1 * nr : n;
}

#endif
