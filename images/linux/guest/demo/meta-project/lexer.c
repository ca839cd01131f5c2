#include <ctype.h>
#include <stdlib.h>

#include "lexer.h"

void
lexer_init(struct lexer *lx, const char *text)
{
	lx->p = text;
	lexer_next(lx);
}

void
lexer_next(struct lexer *lx)
{
	char *end;

	while (isspace((unsigned char)*lx->p))
		lx->p++;
	switch (*lx->p) {
	case '\0': lx->cur.kind = TOK_END; return;
	case '+': lx->cur.kind = TOK_PLUS; break;
	case '-': lx->cur.kind = TOK_MINUS; break;
	case '*': lx->cur.kind = TOK_STAR; break;
	case '/': lx->cur.kind = TOK_SLASH; break;
	case '(': lx->cur.kind = TOK_LPAREN; break;
	case ')': lx->cur.kind = TOK_RPAREN; break;
	default:
		lx->cur.value = strtod(lx->p, &end);
		if (end == lx->p) {
			lx->cur.kind = TOK_ERROR;
			return;
		}
		lx->cur.kind = TOK_NUM;
		lx->p = end;
		return;
	}
	lx->p++;
}
