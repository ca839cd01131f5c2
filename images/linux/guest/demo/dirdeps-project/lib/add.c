#include "add.h"
#include "version.h"

int calc_add(int a, int b)
{
	return a + b;
}

const char *calc_version(void)
{
	return CALC_VERSION;
}
