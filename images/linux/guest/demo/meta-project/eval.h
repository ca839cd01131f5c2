/* Recursive-descent evaluation of an expression. */
#ifndef EVAL_H
#define EVAL_H

#include "lexer.h"

/* Returns 0 and stores the value, or -1 on a syntax error. */
int eval_expr(const char *text, double *value);

#endif
