/* Tokens of a tiny arithmetic expression language. */
#ifndef LEXER_H
#define LEXER_H

enum token_kind { TOK_NUM, TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_LPAREN, TOK_RPAREN, TOK_END, TOK_ERROR };

struct token {
	enum token_kind kind;
	double value;
};

struct lexer {
	const char *p;
	struct token cur;
};

void lexer_init(struct lexer *lx, const char *text);
void lexer_next(struct lexer *lx);

#endif
