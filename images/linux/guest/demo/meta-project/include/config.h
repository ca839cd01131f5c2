/* Default settings; local/config.h, when present, is found first. */
#ifndef CONFIG_H
#define CONFIG_H

#define CALC_NAME	"calc"
#define CALC_PRECISION	2
#define CALC_MAX_INPUT	0	/* no limit */

#endif
