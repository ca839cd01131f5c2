cmd_/work/main/images/linux/filemon/modules.order := {   echo /work/main/images/linux/filemon/filemon.ko; :; } > /work/main/images/linux/filemon/modules.order
