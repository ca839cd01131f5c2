# Late site settings (sys.mk includes local.sys.mk last): the compiler.
CC = tcc
AR = tcc -ar
