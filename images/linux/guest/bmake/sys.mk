# sys.mk of filemon-sim's guest, read by bmake before every makefile.
# bmake refuses to run without one; this is deliberately tiny: the C
# compiler is Debian's tcc, and the one suffix rule the demo needs.
# (Debian's bmake ships the full mk-files collection instead.)

.SUFFIXES: .out .o .c .h

CC ?= tcc
CFLAGS ?= -O2
LD ?= ${CC}

.c.o:
	${CC} ${CFLAGS} ${CPPFLAGS} -c ${.IMPSRC} -o ${.TARGET}

.c:
	${CC} ${CFLAGS} ${CPPFLAGS} ${LDFLAGS} -o ${.TARGET} ${.IMPSRC}
