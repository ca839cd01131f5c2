#include "config.h"
#include "eval.h"

static int expr(struct lexer *lx, double *v);

static int
primary(struct lexer *lx, double *v)
{
	if (lx->cur.kind == TOK_NUM) {
		*v = lx->cur.value;
		lexer_next(lx);
		return 0;
	}
	if (lx->cur.kind == TOK_MINUS) {
		lexer_next(lx);
		if (primary(lx, v) < 0)
			return -1;
		*v = -*v;
		return 0;
	}
	if (lx->cur.kind == TOK_LPAREN) {
		lexer_next(lx);
		if (expr(lx, v) < 0 || lx->cur.kind != TOK_RPAREN)
			return -1;
		lexer_next(lx);
		return 0;
	}
	return -1;
}

static int
term(struct lexer *lx, double *v)
{
	double r;
	enum token_kind op;

	if (primary(lx, v) < 0)
		return -1;
	while (lx->cur.kind == TOK_STAR || lx->cur.kind == TOK_SLASH) {
		op = lx->cur.kind;
		lexer_next(lx);
		if (primary(lx, &r) < 0)
			return -1;
		*v = op == TOK_STAR ? *v * r : *v / r;
	}
	return 0;
}

static int
expr(struct lexer *lx, double *v)
{
	double r;
	enum token_kind op;

	if (term(lx, v) < 0)
		return -1;
	while (lx->cur.kind == TOK_PLUS || lx->cur.kind == TOK_MINUS) {
		op = lx->cur.kind;
		lexer_next(lx);
		if (term(lx, &r) < 0)
			return -1;
		*v = op == TOK_PLUS ? *v + r : *v - r;
	}
	return 0;
}

int
eval_expr(const char *text, double *value)
{
	struct lexer lx;

	if (CALC_MAX_INPUT > 0) {
		const char *p = text;
		while (*p)
			p++;
		if (p - text > CALC_MAX_INPUT)
			return -1;
	}
	lexer_init(&lx, text);
	if (expr(&lx, value) < 0 || lx.cur.kind != TOK_END)
		return -1;
	return 0;
}
