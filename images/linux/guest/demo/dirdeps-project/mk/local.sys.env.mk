# Site settings read early by bmake's mk-files (sys.mk includes
# local.sys.env.mk before it works out RELDIR), laid out as the mk-files
# expect: objects in ${OBJROOT}${MACHINE}/<dir> beside the tree, made on
# demand (auto.obj.mk), meta mode, and each directory's dependencies in
# its Makefile.depend.${MACHINE} (sys.dependfile.mk).
#
# The machine in the depend file's name matters: for a depend file that is
# not per machine, gendirdeps.mk tells its meta2deps MACHINE=none, and
# meta2deps.sh then drops every object root and finds no DIRDEPS at all.
SRCTOP := ${.PARSEDIR:tA:H}
OBJROOT ?= ${SRCTOP:H}/obj/
OBJTOP ?= ${OBJROOT}${MACHINE}
MAKEOBJDIR = ${.CURDIR:S,${SRCTOP},${OBJTOP},}
MKOBJDIRS = auto
MK_META_MODE = yes
# gendirdeps.mk runs in a sub-make started from the object directory: it
# finds the tree through the environment (and these files through -m).
.export SRCTOP OBJROOT OBJTOP
.include <sys.dependfile.mk>
