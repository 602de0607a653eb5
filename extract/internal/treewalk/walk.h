// One pass over a tree-sitter syntax tree that reports the nodes extraction
// needs. The walk reads the tree's subtrees directly, through the runtime's
// internal headers, from the github.com/smacker/go-tree-sitter module
// folder that `make setup` links to .treesitter: the public cursor API
// costs about four times as much per node, a quarter of the parse.
#ifndef CODELOOM_TREEWALK_H
#define CODELOOM_TREEWALK_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"

// Roles of grammar symbols, the values of the table the walk is given.
enum {
  CL_TW_NONE = 0,
  CL_TW_FUNCTION = 1,   // reported, and a scope for branch counting
  CL_TW_CONTAINER = 2,  // reported, and a scope that stops branch counting
  CL_TW_DECISION = 3,   // counted as a branch of the innermost scope
  CL_TW_BOOL_OP = 4,    // counted when its operator field reads &&, ||, and, or, ??
  CL_TW_COMMENT = 5,    // reported
};

// One reported node, in pre-order (source order, outer before inner).
typedef struct cl_tw_event {
  // The TSNode, stored as plain words: a struct without pointer fields lets
  // Go pass a buffer of events to C without checking it for Go pointers,
  // and the garbage collector skip it.
  uint64_t node[sizeof(TSNode) / sizeof(uint64_t)];
  uint64_t parent_node[sizeof(TSNode) / sizeof(uint64_t)];  // the nearest visible ancestor; zero for the root and comments
  uint32_t start_byte, end_byte;
  TSPoint start, end;
  int32_t parent;      // index of the enclosing function or container event, -1 at top level
  uint32_t decisions;  // branches directly inside (not inside a nested scope)
  TSSymbol symbol;
  uint8_t role;
  uint8_t has_error;
} cl_tw_event;

// One child of a node, as cl_tw_children reports it.
typedef struct cl_tw_child {
  uint64_t node[sizeof(TSNode) / sizeof(uint64_t)];
  uint32_t start_byte, end_byte;
  TSSymbol symbol;
  uint8_t named;
} cl_tw_child;

// cl_tw_children writes the first children of n (limit of them, 0 for all)
// to out while they fit in cap and returns how many it counted: one call
// instead of one per child, and no parent lookups (which tree-sitter makes
// by descending from the root). It returns CL_TW_OUT_OF_MEMORY when memory
// runs out.
size_t cl_tw_children(TSNode n, size_t limit, cl_tw_child *out, size_t cap);

// A node's child in a field, as cl_tw_field reports it.
typedef struct cl_tw_field_child {
  uint64_t node[sizeof(TSNode) / sizeof(uint64_t)];
  uint32_t start_byte, end_byte;
  uint8_t found;
} cl_tw_field_child;

// cl_tw_field finds n's child in the field called name (len bytes, not
// NUL-terminated), with its byte range.
cl_tw_field_child cl_tw_field(TSNode n, const char *name, uint32_t len);

// The walk's table of a grammar: the role of each internal symbol (public
// symbols and aliases map to them), so the walk need not map every node's
// symbol. Made once per grammar by cl_tw_table_new.
typedef struct cl_tw_table {
  const TSLanguage *language;
  uint32_t nsymbols;
  TSFieldId operator_field;  // for grammars without short-circuit tokens
  bool bool_tokens;          // whether the grammar has &&, ||, and, or, ?? as anonymous tokens
  uint8_t roles[];           // a role, with CL_TW_BOOL_TOKEN on those tokens
} cl_tw_table;

enum { CL_TW_ROLE_MASK = 0x7f, CL_TW_BOOL_TOKEN = 0x80 };

// cl_tw_table_new makes lang's table from roles, indexed by public symbol
// (symbols at or past nroles have none); NULL when memory ran out. Free it
// with free().
cl_tw_table *cl_tw_table_new(const TSLanguage *lang, const uint8_t *roles, uint32_t nroles);

// What cl_tw_walk and cl_tw_children return instead of a count when they fail.
#define CL_TW_OUT_OF_MEMORY SIZE_MAX
#define CL_TW_WRONG_LANGUAGE (SIZE_MAX - 1)

// cl_tw_walk visits every node under root and reports those whose role in
// table says so. Events are written to out while they fit in cap; the
// return value is how many there are, so a caller whose buffer was too
// small grows it and walks again. It returns CL_TW_OUT_OF_MEMORY when memory
// for the walk's stack runs out and CL_TW_WRONG_LANGUAGE when the table is
// another grammar's.
size_t cl_tw_walk(TSNode root, const cl_tw_table *table, const char *src, uint32_t src_len, cl_tw_event *out,
                  size_t cap);

#endif
