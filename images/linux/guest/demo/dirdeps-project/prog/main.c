#include <stdio.h>
#include <stdlib.h>
#include "add.h"

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	printf("%d (calc %s)\n", calc_add(atoi(argv[1]), atoi(argv[2])),
	       calc_version());
	return 0;
}
