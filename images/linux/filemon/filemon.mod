/work/main/images/linux/filemon/filemon.o
