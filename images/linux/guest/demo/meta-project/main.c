#include <stdio.h>

#include "config.h"
#include "eval.h"

int
main(int argc, char **argv)
{
	double v;
	int i, status = 0;

	for (i = 1; i < argc; i++) {
		if (eval_expr(argv[i], &v) < 0) {
			fprintf(stderr, "%s: syntax error: %s\n", CALC_NAME, argv[i]);
			status = 1;
			continue;
		}
		printf("%s = %.*f\n", argv[i], CALC_PRECISION, v);
	}
	return status;
}
