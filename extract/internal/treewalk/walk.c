#include "walk.h"

#include <stdlib.h>
#include <string.h>

#include "language.h"
#include "subtree.h"
#include "tree.h"

// child_iter goes through the children of a subtree as tree-sitter's own
// cursor does: with their positions and the aliases the parent's
// production gives them.
typedef struct {
  const Subtree *children;
  uint32_t count, index;
  uint32_t structural;      // index among the children that are not extras, for aliases
  const TSSymbol *aliases;  // the parent production's alias per structural child, or NULL
  Length pos;               // where children[index] starts (after its padding)
} child_iter;

// children_of starts on the children of the subtree in slot, which starts
// at pos; the subtree must have children.
__attribute__((always_inline)) static inline child_iter children_of(const TSLanguage *lang, const Subtree *slot, Length pos) {
  return (child_iter){.children = ts_subtree_children(*slot), .count = ts_subtree_child_count(*slot), .pos = pos,
                      .aliases = ts_language_alias_sequence(lang, slot->ptr->production_id)};
}

// next_child moves to the next child, false after the last.
__attribute__((always_inline)) static inline bool next_child(child_iter *it, const Subtree **slot, Length *pos, TSSymbol *alias) {
  if (it->index == it->count) return false;
  *slot = &it->children[it->index];
  Subtree child = **slot;
  *alias = 0;
  if (!ts_subtree_extra(child)) {
    if (it->aliases) *alias = it->aliases[it->structural];
    it->structural++;
  }
  *pos = it->pos;
  it->index++;
  it->pos = length_add(*pos, ts_subtree_size(child));
  if (it->index < it->count) it->pos = length_add(it->pos, ts_subtree_padding(it->children[it->index]));
  return true;
}

// grow doubles a stack of cap elements of size elem, the first used of
// them in use, moving it off local (C's stack) on the first growth; false
// when memory ran out (the stack is then unchanged).
static bool grow(void **stack, const void *local, size_t *cap, size_t used, size_t elem) {
  void *grown = *stack == local ? malloc(2 * *cap * elem) : realloc(*stack, 2 * *cap * elem);
  if (!grown) return false;
  if (*stack == local) memcpy(grown, local, used * elem);
  *stack = grown;
  *cap *= 2;
  return true;
}

// frame is a subtree whose children the walk is visiting. It is written
// field by field (see push): building it as one value and copying it made
// the processor wait on its own stores.
typedef struct {
  const Subtree *children;
  const TSSymbol *aliases;  // the production's alias per structural child, or NULL
  uint32_t count, index;
  uint32_t structural;  // index among the children that are not extras, for aliases
  int32_t scope;        // innermost open function or container event, -1 for none
  Length pos;           // where children[index] starts (after its padding)
  // The subtree itself, for the parent of reported nodes.
  const Subtree *slot;
  Length node_pos;
  TSSymbol alias;
  bool visible;
} frame;

// is_bool_operator tells whether a binary node's operator field reads as a
// short-circuit operator, which adds a path like a branch does.
static bool is_bool_operator(TSNode node, TSFieldId field, const char *src, uint32_t src_len) {
  if (field == 0) return false;
  TSNode op = ts_node_child_by_field_id(node, field);
  if (ts_node_is_null(op)) return false;
  uint32_t a = ts_node_start_byte(op), b = ts_node_end_byte(op);
  if (b > src_len || a > b) return false;
  const char *s = src + a;
  switch (b - a) {
    case 2:
      return !memcmp(s, "&&", 2) || !memcmp(s, "||", 2) || !memcmp(s, "or", 2) || !memcmp(s, "??", 2);
    case 3:
      return !memcmp(s, "and", 3);
  }
  return false;
}

// is_bool_token_name tells the anonymous tokens that make a binary node a
// branch.
static bool is_bool_token_name(const char *name) {
  return !strcmp(name, "&&") || !strcmp(name, "||") || !strcmp(name, "and") || !strcmp(name, "or") ||
         !strcmp(name, "??");
}

cl_tw_table *cl_tw_table_new(const TSLanguage *lang, const uint8_t *roles, uint32_t nroles) {
  static const char operator_name[] = "operator";
  uint32_t n = ts_language_symbol_count(lang);
  cl_tw_table *t = malloc(sizeof *t + n);
  if (!t) return NULL;
  *t = (cl_tw_table){.language = lang, .nsymbols = n,
                     .operator_field = ts_language_field_id_for_name(lang, operator_name, sizeof operator_name - 1)};
  // The roles come by public symbol; the walk reads them by the subtrees'
  // internal symbols, saving the mapping on every node. Larger values than
  // CL_TW_COMMENT are the caller's own.
  for (uint32_t s = 0; s < n; s++) {
    TSSymbol pub = ts_language_public_symbol(lang, (TSSymbol)s);
    t->roles[s] = pub < nroles && roles[pub] <= CL_TW_COMMENT ? roles[pub] : CL_TW_NONE;
    if (ts_language_symbol_type(lang, (TSSymbol)s) == TSSymbolTypeAnonymous &&
        is_bool_token_name(ts_language_symbol_name(lang, (TSSymbol)s))) {
      t->roles[s] |= CL_TW_BOOL_TOKEN;
      t->bool_tokens = true;
    }
  }
  return t;
}

// walker is the state of one walk.
typedef struct {
  const TSTree *tree;
  const cl_tw_table *table;
  const char *src;
  uint32_t src_len;
  cl_tw_event *out;
  size_t cap, n;
  frame *stack;  // the subtrees above the node being visited
  size_t depth, depth_cap;
} walker;

// parent is the nearest visible subtree on the stack: hidden subtrees are
// not nodes of the public tree.
static TSNode parent(const walker *w) {
  for (size_t d = w->depth; d > 0; d--) {
    const frame *f = &w->stack[d - 1];
    if (f->visible) return ts_node_new(w->tree, f->slot, f->node_pos, f->alias);
  }
  return (TSNode){0};
}

// symbol_role is the table's entry for an internal symbol.
static inline uint8_t symbol_role(const cl_tw_table *t, TSSymbol sym) {
  return sym < t->nsymbols ? t->roles[sym] : CL_TW_NONE;
}

// has_bool_token tells whether a binary node's operator is a short-circuit
// token: grammars with such anonymous tokens have the operator as the one
// anonymous child, so looking at the children spares the field lookup.
static bool has_bool_token(const walker *w, const Subtree *slot, Length pos) {
  child_iter it = children_of(w->tree->language, slot, pos);
  const Subtree *child;
  TSSymbol alias;
  while (next_child(&it, &child, &pos, &alias)) {
    if (symbol_role(w->table, alias ? alias : ts_subtree_symbol(*child)) & CL_TW_BOOL_TOKEN) return true;
  }
  return false;
}

// visit handles one visible node at pos (its start) and returns the scope
// its children are in.
static int32_t visit(walker *w, const Subtree *slot, Length pos, TSSymbol alias, int32_t scope) {
  Subtree t = *slot;
  TSSymbol sym = alias ? alias : ts_subtree_symbol(t);
  uint8_t role = symbol_role(w->table, sym) & CL_TW_ROLE_MASK;
  if (role == CL_TW_NONE) return scope;
  sym = ts_language_public_symbol(w->tree->language, sym);
  if (role == CL_TW_DECISION || role == CL_TW_BOOL_OP) {
    if (scope < 0 || w->n > w->cap) return scope;  // past the buffer only the count matters
    if (role == CL_TW_DECISION ||
        (w->table->bool_tokens ? has_bool_token(w, slot, pos)
                               : is_bool_operator(ts_node_new(w->tree, slot, pos, alias), w->table->operator_field,
                                                  w->src, w->src_len))) {
      w->out[scope].decisions++;
    }
    return scope;
  }
  size_t i = w->n++;
  if (i >= w->cap) return scope;
  cl_tw_event *e = &w->out[i];
  // Nothing asks for a comment's parent; there are many comments.
  TSNode node = ts_node_new(w->tree, slot, pos, alias), up = role == CL_TW_COMMENT ? (TSNode){0} : parent(w);
  Length end = length_add(pos, ts_subtree_size(t));
  memcpy(e->node, &node, sizeof node);
  memcpy(e->parent_node, &up, sizeof up);
  e->start_byte = pos.bytes;
  e->end_byte = end.bytes;
  e->start = pos.extent;
  e->end = end.extent;
  e->parent = scope;
  e->decisions = 0;
  e->symbol = sym;
  e->role = role;
  e->has_error = role != CL_TW_COMMENT && ts_subtree_error_cost(t) > 0;
  return role == CL_TW_COMMENT ? scope : (int32_t)i;
}

// push starts on the children of the subtree in slot (which has some) at
// pos; false when memory for a deeper stack ran out.
static bool push(walker *w, frame *local, const Subtree *slot, Length pos, TSSymbol alias, bool visible, int32_t scope) {
  if (w->depth == w->depth_cap && !grow((void **)&w->stack, local, &w->depth_cap, w->depth, sizeof *w->stack)) {
    return false;
  }
  frame *f = &w->stack[w->depth++];
  Subtree t = *slot;
  f->children = ts_subtree_children(t);
  f->aliases = ts_language_alias_sequence(w->tree->language, t.ptr->production_id);
  f->count = t.ptr->child_count;
  f->index = 0;
  f->structural = 0;
  f->scope = scope;
  f->pos = pos;
  f->slot = slot;
  f->node_pos = pos;
  f->alias = alias;
  f->visible = visible;
  return true;
}

size_t cl_tw_walk(TSNode root, const cl_tw_table *table, const char *src, uint32_t src_len, cl_tw_event *out,
                  size_t cap) {
  if (root.tree->language != table->language) return CL_TW_WRONG_LANGUAGE;
  // An explicit stack, on C's stack while it fits: trees of deeply nested
  // code would overflow C's own.
  frame local[128];
  walker w = {.tree = root.tree, .table = table, .src = src, .src_len = src_len, .out = out, .cap = cap,
              .stack = local, .depth_cap = sizeof local / sizeof *local};
  // The node's position and alias are in its context words (see ts_node_new).
  Length root_pos = {root.context[0], {root.context[1], root.context[2]}};
  const Subtree *root_slot = root.id;
  TSSymbol root_alias = (TSSymbol)root.context[3];
  int32_t scope = visit(&w, root_slot, root_pos, root_alias, -1);
  if (ts_subtree_child_count(*root_slot) == 0) return w.n;
  push(&w, local, root_slot, root_pos, root_alias, true, scope);
  bool out_of_memory = false;
  while (w.depth > 0) {
    frame *f = &w.stack[w.depth - 1];
    if (f->index == f->count) {
      w.depth--;
      continue;
    }
    const Subtree *slot = &f->children[f->index++];
    Subtree t = *slot;
    TSSymbol alias = 0;
    if (!ts_subtree_extra(t)) {
      if (f->aliases) alias = f->aliases[f->structural];
      f->structural++;
    }
    Length pos = f->pos;
    f->pos = length_add(pos, ts_subtree_size(t));
    if (f->index < f->count) f->pos = length_add(f->pos, ts_subtree_padding(f->children[f->index]));
    scope = f->scope;
    // Hidden nodes are not nodes of the public tree: their children are
    // visited as children of the nearest visible ancestor.
    bool visible = alias || ts_subtree_visible(t);
    if (visible) scope = visit(&w, slot, pos, alias, scope);
    if (ts_subtree_child_count(t) == 0) continue;
    if (!push(&w, local, slot, pos, alias, visible, scope)) {
      out_of_memory = true;
      break;
    }
  }
  if (w.stack != local) free(w.stack);
  return out_of_memory ? CL_TW_OUT_OF_MEMORY : w.n;
}

size_t cl_tw_children(TSNode n, size_t limit, cl_tw_child *out, size_t cap) {
  const Subtree *slot = n.id;
  if (ts_subtree_child_count(*slot) == 0) return 0;
  const TSLanguage *lang = n.tree->language;
  Length pos = {n.context[0], {n.context[1], n.context[2]}};
  // Hidden children are flattened into their visible descendants, as in
  // the walk; they rarely nest more than a few deep.
  child_iter local[16], *stack = local;
  size_t depth = 0, depth_cap = 16, count = 0;
  stack[depth++] = children_of(lang, slot, pos);
  if (limit == 0) limit = SIZE_MAX;
  while (depth > 0 && count < limit) {
    TSSymbol alias;
    if (!next_child(&stack[depth - 1], &slot, &pos, &alias)) {
      depth--;
      continue;
    }
    if (alias || ts_subtree_visible(*slot)) {
      if (count < cap) {
        TSNode child = ts_node_new(n.tree, slot, pos, alias);
        cl_tw_child *k = &out[count];
        memcpy(k->node, &child, sizeof child);
        k->start_byte = pos.bytes;
        k->end_byte = pos.bytes + ts_subtree_size(*slot).bytes;
        k->symbol = ts_node_symbol(child);
        k->named = ts_node_is_named(child);
      }
      count++;
      continue;
    }
    if (ts_subtree_child_count(*slot) == 0) continue;
    if (depth == depth_cap && !grow((void **)&stack, local, &depth_cap, depth, sizeof *stack)) {
      if (stack != local) free(stack);
      return CL_TW_OUT_OF_MEMORY;
    }
    stack[depth++] = children_of(lang, slot, pos);
  }
  if (stack != local) free(stack);
  return count;
}

cl_tw_field_child cl_tw_field(TSNode n, const char *name, uint32_t len) {
  cl_tw_field_child out = {0};
  TSNode c = ts_node_child_by_field_name(n, name, len);
  if (ts_node_is_null(c)) return out;
  memcpy(out.node, &c, sizeof c);
  out.start_byte = ts_node_start_byte(c);
  out.end_byte = ts_node_end_byte(c);
  out.found = 1;
  return out;
}
