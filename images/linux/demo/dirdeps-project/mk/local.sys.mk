# Site settings read by bmake's mk-files (sys.mk includes local.sys.mk):
# the tree's top, one object tree beside it, meta mode with each
# directory's dependencies written to its Makefile.depend.
SRCTOP := ${.PARSEDIR:H}
OBJTOP = ${SRCTOP:H}/obj
RELDIR := ${.CURDIR:S,${SRCTOP}/,,}
.OBJDIR: ${OBJTOP}/${RELDIR}
.MAKE.MODE = meta verbose
.MAKE.DEPENDFILE = Makefile.depend
# gendirdeps.mk runs in a sub-make that reads only the mk-files' own
# directory: it finds the tree through the environment.
.export SRCTOP OBJTOP
CC = tcc
AR = tcc -ar
