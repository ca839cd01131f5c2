cmd_/work/main/images/linux/filemon/filemon.mod := printf '%s\n'   filemon.o | awk '!x[$$0]++ { print("/work/main/images/linux/filemon/"$$0) }' > /work/main/images/linux/filemon/filemon.mod
