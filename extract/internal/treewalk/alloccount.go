package treewalk

/*
#cgo CPPFLAGS: -I${SRCDIR}/../../../.treesitter
#include <stdlib.h>
#include "api.h"

// The live blocks of tree-sitter's allocations while counting is on: the
// tests hold Release to freeing exactly what tree-sitter's own delete
// frees. (Blocks, not bytes: the allocator may round a block up by what
// happens to be left of the chunk it reuses.) Not thread-safe; the tests
// parse on one goroutine.
static long long cl_tw_live;

static void *cl_tw_count_malloc(size_t n) {
  void *p = malloc(n);
  if (p) cl_tw_live++;
  return p;
}

static void *cl_tw_count_calloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (p) cl_tw_live++;
  return p;
}

static void *cl_tw_count_realloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (q && !p) cl_tw_live++;
  if (!q && p && n == 0) cl_tw_live--;  // realloc(p, 0) frees p
  return q;
}

static void cl_tw_count_free(void *p) {
  if (p) cl_tw_live--;
  free(p);
}

static long long cl_tw_live_blocks(void) { return cl_tw_live; }

static void cl_tw_count_allocations(int on) {
  if (on) {
    ts_set_allocator(cl_tw_count_malloc, cl_tw_count_calloc, cl_tw_count_realloc, cl_tw_count_free);
  } else {
    ts_set_allocator(NULL, NULL, NULL, NULL);
  }
}
*/
import "C"

// countAllocations routes tree-sitter's allocations through counters (on)
// or back to the C library's allocator; liveBlocks is their balance since.
// For the tests: tree-sitter has one allocator for the whole process.
func countAllocations(on bool) {
	v := 0
	if on {
		v = 1
	}
	C.cl_tw_count_allocations(C.int(v))
}

func liveBlocks() int64 { return int64(C.cl_tw_live_blocks()) }
