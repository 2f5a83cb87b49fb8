/* The native tests' one assertion. CHECK(cond, format, ...) counts a pass or
 * a failure in the counters that the file's entry point handed to
 * check_counters(), and prints a failure's file, line and message. Each test
 * file includes this once and calls check_counters() before its checks. */
#ifndef QDQ_TEST_CHECK_H
#define QDQ_TEST_CHECK_H

#include <stdio.h>

static int* check_passed;
static int* check_failed;

static inline void check_counters(int* passed, int* failed) {
  check_passed = passed;
  check_failed = failed;
}

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (cond) {                                            \
      ++*check_passed;                                     \
    } else {                                               \
      ++*check_failed;                                     \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                        \
      fputc('\n', stderr);                                 \
    }                                                      \
  } while (0)

#endif
