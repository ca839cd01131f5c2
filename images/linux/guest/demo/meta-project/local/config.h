/* Site override of include/config.h: more digits. */
#ifndef CONFIG_H
#define CONFIG_H

#define CALC_NAME	"calc (local)"
#define CALC_PRECISION	6
#define CALC_MAX_INPUT	200

#endif
