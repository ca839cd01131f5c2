cmd_/work/main/images/linux/filemon/filemon.o :=  gcc-12 -Wp,-MMD,/work/main/images/linux/filemon/.filemon.o.d -nostdinc -I/tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include -I./arch/x86/include/generated -I/tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include -I./include -I/tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi -I./arch/x86/include/generated/uapi -I/tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi -I./include/generated/uapi -include /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/compiler-version.h -include /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kconfig.h -include /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/compiler_types.h -D__KERNEL__ -fmacro-prefix-map=/tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/= -Wall -Wundef -Werror=strict-prototypes -Wno-trigraphs -fno-strict-aliasing -fno-common -fshort-wchar -fno-PIE -Werror=implicit-function-declaration -Werror=implicit-int -Werror=return-type -Wno-format-security -std=gnu11 -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -fcf-protection=none -m32 -msoft-float -mregparm=3 -freg-struct-return -fno-pic -mpreferred-stack-boundary=2 -march=geode -mtune=generic -Wa,-mtune=generic32 -ffreestanding -mstack-protector-guard-reg=fs -mstack-protector-guard-symbol=__stack_chk_guard -Wno-sign-compare -fno-asynchronous-unwind-tables -mindirect-branch=thunk-extern -mindirect-branch-register -mindirect-branch-cs-prefix -fno-jump-tables -fno-delete-null-pointer-checks -Wno-frame-address -Wno-format-truncation -Wno-format-overflow -Wno-address-of-packed-member -O2 -fno-allow-store-data-races -Wframe-larger-than=1024 -fstack-protector-strong -Wno-main -Wno-unused-but-set-variable -Wno-unused-const-variable -Wno-dangling-pointer -fno-omit-frame-pointer -fno-optimize-sibling-calls -ftrivial-auto-var-init=zero -fno-stack-clash-protection -pg -mrecord-mcount -mfentry -DCC_USING_FENTRY -Wvla -Wno-pointer-sign -Wcast-function-type -Wno-stringop-truncation -Wno-stringop-overflow -Wno-restrict -Wno-maybe-uninitialized -Wno-array-bounds -Wno-alloc-size-larger-than -Wimplicit-fallthrough=5 -fno-strict-overflow -fno-stack-check -fconserve-stack -Werror=date-time -Werror=incompatible-pointer-types -Werror=designated-init -fno-builtin-wcslen -Wno-packed-not-aligned -g -I/work/main/images/linux/filemon/../include  -DMODULE  -DKBUILD_BASENAME='"filemon"' -DKBUILD_MODNAME='"filemon"' -D__KBUILD_MODNAME=kmod_filemon -c -o /work/main/images/linux/filemon/filemon.o /work/main/images/linux/filemon/filemon.c  

source_/work/main/images/linux/filemon/filemon.o := /work/main/images/linux/filemon/filemon.c

deps_/work/main/images/linux/filemon/filemon.o := \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/compiler-version.h \
    $(wildcard include/config/CC_VERSION_TEXT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kconfig.h \
    $(wildcard include/config/CPU_BIG_ENDIAN) \
    $(wildcard include/config/BOOGER) \
    $(wildcard include/config/FOO) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/compiler_types.h \
    $(wildcard include/config/DEBUG_INFO_BTF) \
    $(wildcard include/config/PAHOLE_HAS_BTF_TAG) \
    $(wildcard include/config/HAVE_ARCH_COMPILER_H) \
    $(wildcard include/config/CC_HAS_ASM_INLINE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/compiler_attributes.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/compiler-gcc.h \
    $(wildcard include/config/RETPOLINE) \
    $(wildcard include/config/GCC_ASM_GOTO_OUTPUT_WORKAROUND) \
    $(wildcard include/config/ARCH_USE_BUILTIN_BSWAP) \
    $(wildcard include/config/SHADOW_CALL_STACK) \
    $(wildcard include/config/KCOV) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/atomic.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/types.h \
    $(wildcard include/config/HAVE_UID16) \
    $(wildcard include/config/UID16) \
    $(wildcard include/config/ARCH_DMA_ADDR_T_64BIT) \
    $(wildcard include/config/PHYS_ADDR_T_64BIT) \
    $(wildcard include/config/64BIT) \
    $(wildcard include/config/ARCH_32BIT_USTAT_F_TINODE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/types.h \
  arch/x86/include/generated/uapi/asm/types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/int-ll64.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/int-ll64.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/bitsperlong.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitsperlong.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/bitsperlong.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/posix_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/stddef.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/stddef.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/compiler_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/posix_types.h \
    $(wildcard include/config/X86_32) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/posix_types_32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/posix_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/atomic.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/compiler.h \
    $(wildcard include/config/TRACE_BRANCH_PROFILING) \
    $(wildcard include/config/PROFILE_ALL_BRANCHES) \
    $(wildcard include/config/OBJTOOL) \
  arch/x86/include/generated/asm/rwonce.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/rwonce.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kasan-checks.h \
    $(wildcard include/config/KASAN_GENERIC) \
    $(wildcard include/config/KASAN_SW_TAGS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kcsan-checks.h \
    $(wildcard include/config/KCSAN) \
    $(wildcard include/config/KCSAN_WEAK_MEMORY) \
    $(wildcard include/config/KCSAN_IGNORE_ATOMICS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/alternative.h \
    $(wildcard include/config/SMP) \
    $(wildcard include/config/MITIGATION_ITS) \
    $(wildcard include/config/RETHUNK) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/stringify.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/asm.h \
    $(wildcard include/config/KPROBES) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/extable_fixup_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/bug.h \
    $(wildcard include/config/GENERIC_BUG) \
    $(wildcard include/config/DEBUG_BUGVERBOSE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/instrumentation.h \
    $(wildcard include/config/NOINSTR_VALIDATION) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/objtool.h \
    $(wildcard include/config/FRAME_POINTER) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bug.h \
    $(wildcard include/config/BUG) \
    $(wildcard include/config/GENERIC_BUG_RELATIVE_POINTERS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/once_lite.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/panic.h \
    $(wildcard include/config/PANIC_TIMEOUT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/printk.h \
    $(wildcard include/config/MESSAGE_LOGLEVEL_DEFAULT) \
    $(wildcard include/config/CONSOLE_LOGLEVEL_DEFAULT) \
    $(wildcard include/config/CONSOLE_LOGLEVEL_QUIET) \
    $(wildcard include/config/EARLY_PRINTK) \
    $(wildcard include/config/PRINTK) \
    $(wildcard include/config/PRINTK_INDEX) \
    $(wildcard include/config/DYNAMIC_DEBUG) \
    $(wildcard include/config/DYNAMIC_DEBUG_CORE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/stdarg.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/init.h \
    $(wildcard include/config/HAVE_ARCH_PREL32_RELOCATIONS) \
    $(wildcard include/config/STRICT_KERNEL_RWX) \
    $(wildcard include/config/STRICT_MODULE_RWX) \
    $(wildcard include/config/LTO_CLANG) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kern_levels.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/linkage.h \
    $(wildcard include/config/ARCH_USE_SYM_ANNOTATIONS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/export.h \
    $(wildcard include/config/MODVERSIONS) \
    $(wildcard include/config/MODULES) \
    $(wildcard include/config/TRIM_UNUSED_KSYMS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/linkage.h \
    $(wildcard include/config/X86_64) \
    $(wildcard include/config/X86_ALIGNMENT_16) \
    $(wildcard include/config/SLS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/ibt.h \
    $(wildcard include/config/X86_KERNEL_IBT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/ratelimit_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/bits.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/const.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/const.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/const.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/bits.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/build_bug.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/param.h \
  arch/x86/include/generated/uapi/asm/param.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/param.h \
    $(wildcard include/config/HZ) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/param.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/spinlock_types_raw.h \
    $(wildcard include/config/DEBUG_SPINLOCK) \
    $(wildcard include/config/DEBUG_LOCK_ALLOC) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/spinlock_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/qspinlock_types.h \
    $(wildcard include/config/NR_CPUS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/qrwlock_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/byteorder.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/byteorder/little_endian.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/byteorder/little_endian.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/swab.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/swab.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/swab.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/byteorder/generic.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/lockdep_types.h \
    $(wildcard include/config/PROVE_RAW_LOCK_NESTING) \
    $(wildcard include/config/LOCKDEP) \
    $(wildcard include/config/LOCK_STAT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/dynamic_debug.h \
    $(wildcard include/config/JUMP_LABEL) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/jump_label.h \
    $(wildcard include/config/HAVE_ARCH_JUMP_LABEL_RELATIVE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/jump_label.h \
    $(wildcard include/config/HAVE_JUMP_LABEL_HACK) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/nops.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/cmpxchg.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/cpufeatures.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/required-features.h \
    $(wildcard include/config/X86_MINIMUM_CPU_FAMILY) \
    $(wildcard include/config/MATH_EMULATION) \
    $(wildcard include/config/X86_PAE) \
    $(wildcard include/config/X86_CMPXCHG64) \
    $(wildcard include/config/X86_CMOV) \
    $(wildcard include/config/X86_P6_NOP) \
    $(wildcard include/config/MATOM) \
    $(wildcard include/config/PARAVIRT_XXL) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/disabled-features.h \
    $(wildcard include/config/X86_UMIP) \
    $(wildcard include/config/X86_INTEL_MEMORY_PROTECTION_KEYS) \
    $(wildcard include/config/X86_5LEVEL) \
    $(wildcard include/config/PAGE_TABLE_ISOLATION) \
    $(wildcard include/config/CPU_UNRET_ENTRY) \
    $(wildcard include/config/INTEL_IOMMU_SVM) \
    $(wildcard include/config/X86_SGX) \
    $(wildcard include/config/INTEL_TDX_GUEST) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/cmpxchg_32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/rmwcc.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/barrier.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/barrier.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/atomic64_32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/atomic/atomic-arch-fallback.h \
    $(wildcard include/config/GENERIC_ATOMIC64) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/atomic/atomic-long.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/atomic/atomic-instrumented.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/instrumented.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kmsan-checks.h \
    $(wildcard include/config/KMSAN) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/binfmts.h \
    $(wildcard include/config/MMU) \
    $(wildcard include/config/COREDUMP) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched.h \
    $(wildcard include/config/DEBUG_ATOMIC_SLEEP) \
    $(wildcard include/config/PREEMPT_RT) \
    $(wildcard include/config/VIRT_CPU_ACCOUNTING_NATIVE) \
    $(wildcard include/config/SCHED_INFO) \
    $(wildcard include/config/SCHEDSTATS) \
    $(wildcard include/config/SCHED_CORE) \
    $(wildcard include/config/FAIR_GROUP_SCHED) \
    $(wildcard include/config/RT_GROUP_SCHED) \
    $(wildcard include/config/RT_MUTEXES) \
    $(wildcard include/config/UCLAMP_TASK) \
    $(wildcard include/config/UCLAMP_BUCKETS_COUNT) \
    $(wildcard include/config/KMAP_LOCAL) \
    $(wildcard include/config/THREAD_INFO_IN_TASK) \
    $(wildcard include/config/CGROUP_SCHED) \
    $(wildcard include/config/PREEMPT_NOTIFIERS) \
    $(wildcard include/config/BLK_DEV_IO_TRACE) \
    $(wildcard include/config/PREEMPT_RCU) \
    $(wildcard include/config/TASKS_RCU) \
    $(wildcard include/config/TASKS_TRACE_RCU) \
    $(wildcard include/config/MEMCG) \
    $(wildcard include/config/LRU_GEN) \
    $(wildcard include/config/COMPAT_BRK) \
    $(wildcard include/config/CGROUPS) \
    $(wildcard include/config/BLK_CGROUP) \
    $(wildcard include/config/PSI) \
    $(wildcard include/config/PAGE_OWNER) \
    $(wildcard include/config/EVENTFD) \
    $(wildcard include/config/IOMMU_SVA) \
    $(wildcard include/config/CPU_SUP_INTEL) \
    $(wildcard include/config/TASK_DELAY_ACCT) \
    $(wildcard include/config/STACKPROTECTOR) \
    $(wildcard include/config/ARCH_HAS_SCALED_CPUTIME) \
    $(wildcard include/config/VIRT_CPU_ACCOUNTING_GEN) \
    $(wildcard include/config/NO_HZ_FULL) \
    $(wildcard include/config/POSIX_CPUTIMERS) \
    $(wildcard include/config/POSIX_CPU_TIMERS_TASK_WORK) \
    $(wildcard include/config/KEYS) \
    $(wildcard include/config/SYSVIPC) \
    $(wildcard include/config/DETECT_HUNG_TASK) \
    $(wildcard include/config/IO_URING) \
    $(wildcard include/config/AUDIT) \
    $(wildcard include/config/AUDITSYSCALL) \
    $(wildcard include/config/DEBUG_MUTEXES) \
    $(wildcard include/config/TRACE_IRQFLAGS) \
    $(wildcard include/config/UBSAN) \
    $(wildcard include/config/UBSAN_TRAP) \
    $(wildcard include/config/COMPACTION) \
    $(wildcard include/config/TASK_XACCT) \
    $(wildcard include/config/CPUSETS) \
    $(wildcard include/config/X86_CPU_RESCTRL) \
    $(wildcard include/config/FUTEX) \
    $(wildcard include/config/COMPAT) \
    $(wildcard include/config/PERF_EVENTS) \
    $(wildcard include/config/DEBUG_PREEMPT) \
    $(wildcard include/config/NUMA) \
    $(wildcard include/config/NUMA_BALANCING) \
    $(wildcard include/config/RSEQ) \
    $(wildcard include/config/FAULT_INJECTION) \
    $(wildcard include/config/LATENCYTOP) \
    $(wildcard include/config/KUNIT) \
    $(wildcard include/config/FUNCTION_GRAPH_TRACER) \
    $(wildcard include/config/TRACING) \
    $(wildcard include/config/UPROBES) \
    $(wildcard include/config/BCACHE) \
    $(wildcard include/config/VMAP_STACK) \
    $(wildcard include/config/LIVEPATCH) \
    $(wildcard include/config/SECURITY) \
    $(wildcard include/config/BPF_SYSCALL) \
    $(wildcard include/config/GCC_PLUGIN_STACKLEAK) \
    $(wildcard include/config/RANDOMIZE_KSTACK_OFFSET) \
    $(wildcard include/config/X86_MCE) \
    $(wildcard include/config/KRETPROBES) \
    $(wildcard include/config/RETHOOK) \
    $(wildcard include/config/ARCH_HAS_PARANOID_L1D_FLUSH) \
    $(wildcard include/config/RV) \
    $(wildcard include/config/ARCH_TASK_STRUCT_ON_STACK) \
    $(wildcard include/config/PREEMPTION) \
    $(wildcard include/config/PREEMPT_DYNAMIC) \
    $(wildcard include/config/HAVE_PREEMPT_DYNAMIC_CALL) \
    $(wildcard include/config/HAVE_PREEMPT_DYNAMIC_KEY) \
    $(wildcard include/config/PREEMPT_NONE) \
    $(wildcard include/config/PREEMPT_VOLUNTARY) \
    $(wildcard include/config/PREEMPT) \
    $(wildcard include/config/MEMBARRIER) \
    $(wildcard include/config/DEBUG_RSEQ) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/sched.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/current.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/percpu.h \
    $(wildcard include/config/X86_64_SMP) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kernel.h \
    $(wildcard include/config/PREEMPT_VOLUNTARY_BUILD) \
    $(wildcard include/config/PREEMPT_) \
    $(wildcard include/config/PROVE_LOCKING) \
    $(wildcard include/config/FTRACE_MCOUNT_RECORD) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/align.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/array_size.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/limits.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/limits.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/limits.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/container_of.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/err.h \
  arch/x86/include/generated/uapi/asm/errno.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/errno.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/errno-base.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/bitops.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/typecheck.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/kernel.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/sysinfo.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/generic-non-atomic.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/bitops.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/fls64.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/sched.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/arch_hweight.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/const_hweight.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/instrumented-atomic.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/instrumented-non-atomic.h \
    $(wildcard include/config/KCSAN_ASSUME_PLAIN_WRITES_ATOMIC) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/instrumented-lock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/le.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/bitops/ext2-atomic-setbit.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kstrtox.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/log2.h \
    $(wildcard include/config/ARCH_HAS_ILOG2_U32) \
    $(wildcard include/config/ARCH_HAS_ILOG2_U64) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/math.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/div64.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/minmax.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/static_call_types.h \
    $(wildcard include/config/HAVE_STATIC_CALL) \
    $(wildcard include/config/HAVE_STATIC_CALL_INLINE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/instruction_pointer.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/percpu.h \
    $(wildcard include/config/HAVE_SETUP_PER_CPU_AREA) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/threads.h \
    $(wildcard include/config/BASE_SMALL) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/percpu-defs.h \
    $(wildcard include/config/DEBUG_FORCE_WEAK_PER_CPU) \
    $(wildcard include/config/AMD_MEM_ENCRYPT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/pid.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rculist.h \
    $(wildcard include/config/PROVE_RCU_LIST) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/list.h \
    $(wildcard include/config/DEBUG_LIST) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/poison.h \
    $(wildcard include/config/ILLEGAL_POINTER_VALUE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rcupdate.h \
    $(wildcard include/config/TINY_RCU) \
    $(wildcard include/config/RCU_STRICT_GRACE_PERIOD) \
    $(wildcard include/config/TASKS_RCU_GENERIC) \
    $(wildcard include/config/RCU_STALL_COMMON) \
    $(wildcard include/config/GENERIC_ENTRY) \
    $(wildcard include/config/KVM_XFER_TO_GUEST_WORK) \
    $(wildcard include/config/RCU_NOCB_CPU) \
    $(wildcard include/config/TASKS_RUDE_RCU) \
    $(wildcard include/config/TREE_RCU) \
    $(wildcard include/config/DEBUG_OBJECTS_RCU_HEAD) \
    $(wildcard include/config/HOTPLUG_CPU) \
    $(wildcard include/config/PROVE_RCU) \
    $(wildcard include/config/ARCH_WEAK_RELEASE_ACQUIRE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/irqflags.h \
    $(wildcard include/config/IRQSOFF_TRACER) \
    $(wildcard include/config/PREEMPT_TRACER) \
    $(wildcard include/config/DEBUG_IRQFLAGS) \
    $(wildcard include/config/TRACE_IRQFLAGS_SUPPORT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/cleanup.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/irqflags.h \
    $(wildcard include/config/DEBUG_ENTRY) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/processor-flags.h \
    $(wildcard include/config/VM86) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/processor-flags.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/mem_encrypt.h \
    $(wildcard include/config/ARCH_HAS_MEM_ENCRYPT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/mem_encrypt.h \
    $(wildcard include/config/X86_MEM_ENCRYPT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/cc_platform.h \
    $(wildcard include/config/ARCH_HAS_CC_PLATFORM) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/nospec-branch.h \
    $(wildcard include/config/CPU_SRSO) \
    $(wildcard include/config/CPU_IBPB_ENTRY) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/static_key.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/msr-index.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/unwind_hints.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/orc_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/GEN-for-each-reg.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/segment.h \
    $(wildcard include/config/XEN_PV) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/preempt.h \
    $(wildcard include/config/PREEMPT_COUNT) \
    $(wildcard include/config/TRACE_PREEMPT_TOGGLE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/preempt.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/thread_info.h \
    $(wildcard include/config/HAVE_ARCH_WITHIN_STACK_FRAMES) \
    $(wildcard include/config/HARDENED_USERCOPY) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/bug.h \
    $(wildcard include/config/BUG_ON_DATA_CORRUPTION) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/restart_block.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/time64.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/math64.h \
    $(wildcard include/config/ARCH_SUPPORTS_INT128) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/math64.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/time64.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/time.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/time_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/errno.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/errno.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/thread_info.h \
    $(wildcard include/config/X86_IOPL_IOPERM) \
    $(wildcard include/config/IA32_EMULATION) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/page.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/page_types.h \
    $(wildcard include/config/PHYSICAL_START) \
    $(wildcard include/config/PHYSICAL_ALIGN) \
    $(wildcard include/config/DYNAMIC_PHYSICAL_MASK) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/page_32_types.h \
    $(wildcard include/config/HIGHMEM4G) \
    $(wildcard include/config/HIGHMEM64G) \
    $(wildcard include/config/PAGE_OFFSET) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/page_32.h \
    $(wildcard include/config/DEBUG_VIRTUAL) \
    $(wildcard include/config/FLATMEM) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/string.h \
    $(wildcard include/config/BINARY_PRINTF) \
    $(wildcard include/config/FORTIFY_SOURCE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/overflow.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/string.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/string.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/string_32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/fortify-string.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/range.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/memory_model.h \
    $(wildcard include/config/SPARSEMEM_VMEMMAP) \
    $(wildcard include/config/SPARSEMEM) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/pfn.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/getorder.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/cpufeature.h \
    $(wildcard include/config/X86_FEATURE_NAMES) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/processor.h \
    $(wildcard include/config/X86_VSMP) \
    $(wildcard include/config/X86_VMX_FEATURE_NAMES) \
    $(wildcard include/config/X86_DEBUGCTLMSR) \
    $(wildcard include/config/CPU_SUP_AMD) \
    $(wildcard include/config/XEN) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/math_emu.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/ptrace.h \
    $(wildcard include/config/PARAVIRT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/ptrace.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/ptrace-abi.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/paravirt_types.h \
    $(wildcard include/config/PGTABLE_LEVELS) \
    $(wildcard include/config/ZERO_CALL_USED_REGS) \
    $(wildcard include/config/PARAVIRT_DEBUG) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/desc_defs.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/pgtable_types.h \
    $(wildcard include/config/MEM_SOFT_DIRTY) \
    $(wildcard include/config/HAVE_ARCH_USERFAULTFD_WP) \
    $(wildcard include/config/PROC_FS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/pgtable_32_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/pgtable-2level_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/pgtable-nop4d.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/pgtable-nopud.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/pgtable-nopmd.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/proto.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/ldt.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/sigcontext.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/msr.h \
    $(wildcard include/config/TRACEPOINTS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/msr-index.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/cpumask.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/cpumask.h \
    $(wildcard include/config/FORCE_NR_CPUS) \
    $(wildcard include/config/DEBUG_PER_CPU_MAPS) \
    $(wildcard include/config/CPUMASK_OFFSTACK) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/bitmap.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/find.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/gfp_types.h \
    $(wildcard include/config/KASAN_HW_TAGS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/numa.h \
    $(wildcard include/config/NODES_SHIFT) \
    $(wildcard include/config/NUMA_KEEP_MEMINFO) \
    $(wildcard include/config/HAVE_ARCH_NODE_DEV_GROUP) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/msr.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/ioctl.h \
  arch/x86/include/generated/uapi/asm/ioctl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/ioctl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/ioctl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/shared/msr.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/tracepoint-defs.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/special_insns.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/fpu/types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/vmxfeatures.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/vdso/processor.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/personality.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/personality.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/cache.h \
    $(wildcard include/config/ARCH_HAS_CACHE_LINE_SIZE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/cache.h \
    $(wildcard include/config/X86_L1_CACHE_SHIFT) \
    $(wildcard include/config/X86_INTERNODE_CACHE_SHIFT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/bottom_half.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/lockdep.h \
    $(wildcard include/config/DEBUG_LOCKING_API_SELFTESTS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/smp.h \
    $(wildcard include/config/UP_LATE_INIT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/smp_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/llist.h \
    $(wildcard include/config/ARCH_HAVE_NMI_SAFE_CMPXCHG) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/smp.h \
    $(wildcard include/config/X86_LOCAL_APIC) \
    $(wildcard include/config/DEBUG_NMI_SELFTEST) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/context_tracking_irq.h \
    $(wildcard include/config/CONTEXT_TRACKING_IDLE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rcutree.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/wait.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/spinlock.h \
  arch/x86/include/generated/asm/mmiowb.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/mmiowb.h \
    $(wildcard include/config/MMIOWB) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/spinlock_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rwlock_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/spinlock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/paravirt.h \
    $(wildcard include/config/PARAVIRT_SPINLOCKS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/frame.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/qspinlock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/qspinlock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/qrwlock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/qrwlock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rwlock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/spinlock_api_smp.h \
    $(wildcard include/config/INLINE_SPIN_LOCK) \
    $(wildcard include/config/INLINE_SPIN_LOCK_BH) \
    $(wildcard include/config/INLINE_SPIN_LOCK_IRQ) \
    $(wildcard include/config/INLINE_SPIN_LOCK_IRQSAVE) \
    $(wildcard include/config/INLINE_SPIN_TRYLOCK) \
    $(wildcard include/config/INLINE_SPIN_TRYLOCK_BH) \
    $(wildcard include/config/UNINLINE_SPIN_UNLOCK) \
    $(wildcard include/config/INLINE_SPIN_UNLOCK_BH) \
    $(wildcard include/config/INLINE_SPIN_UNLOCK_IRQ) \
    $(wildcard include/config/INLINE_SPIN_UNLOCK_IRQRESTORE) \
    $(wildcard include/config/GENERIC_LOCKBREAK) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rwlock_api_smp.h \
    $(wildcard include/config/INLINE_READ_LOCK) \
    $(wildcard include/config/INLINE_WRITE_LOCK) \
    $(wildcard include/config/INLINE_READ_LOCK_BH) \
    $(wildcard include/config/INLINE_WRITE_LOCK_BH) \
    $(wildcard include/config/INLINE_READ_LOCK_IRQ) \
    $(wildcard include/config/INLINE_WRITE_LOCK_IRQ) \
    $(wildcard include/config/INLINE_READ_LOCK_IRQSAVE) \
    $(wildcard include/config/INLINE_WRITE_LOCK_IRQSAVE) \
    $(wildcard include/config/INLINE_READ_TRYLOCK) \
    $(wildcard include/config/INLINE_WRITE_TRYLOCK) \
    $(wildcard include/config/INLINE_READ_UNLOCK) \
    $(wildcard include/config/INLINE_WRITE_UNLOCK) \
    $(wildcard include/config/INLINE_READ_UNLOCK_BH) \
    $(wildcard include/config/INLINE_WRITE_UNLOCK_BH) \
    $(wildcard include/config/INLINE_READ_UNLOCK_IRQ) \
    $(wildcard include/config/INLINE_WRITE_UNLOCK_IRQ) \
    $(wildcard include/config/INLINE_READ_UNLOCK_IRQRESTORE) \
    $(wildcard include/config/INLINE_WRITE_UNLOCK_IRQRESTORE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/wait.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/refcount.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sem.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/sem.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/ipc.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/uidgid.h \
    $(wildcard include/config/MULTIUSER) \
    $(wildcard include/config/USER_NS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/highuid.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rhashtable-types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/mutex.h \
    $(wildcard include/config/MUTEX_SPIN_ON_OWNER) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/osq_lock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/debug_locks.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/workqueue.h \
    $(wildcard include/config/DEBUG_OBJECTS_WORK) \
    $(wildcard include/config/FREEZER) \
    $(wildcard include/config/SYSFS) \
    $(wildcard include/config/WQ_WATCHDOG) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/timer.h \
    $(wildcard include/config/DEBUG_OBJECTS_TIMERS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/ktime.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/time.h \
    $(wildcard include/config/POSIX_TIMERS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/time32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/timex.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/timex.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/timex.h \
    $(wildcard include/config/X86_TSC) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/tsc.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/time32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/time.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/jiffies.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/jiffies.h \
  include/generated/timeconst.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/vdso/ktime.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/timekeeping.h \
    $(wildcard include/config/GENERIC_CMOS_UPDATE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/clocksource_ids.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/debugobjects.h \
    $(wildcard include/config/DEBUG_OBJECTS) \
    $(wildcard include/config/DEBUG_OBJECTS_FREE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/ipc.h \
  arch/x86/include/generated/uapi/asm/ipcbuf.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/ipcbuf.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/sembuf.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/shm.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/shm.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/hugetlb_encode.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/shmbuf.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/shmbuf.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/shmparam.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kmsan_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/plist.h \
    $(wildcard include/config/DEBUG_PLIST) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/hrtimer.h \
    $(wildcard include/config/HIGH_RES_TIMERS) \
    $(wildcard include/config/TIME_LOW_RES) \
    $(wildcard include/config/TIMERFD) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/hrtimer_defs.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rbtree.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rbtree_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/percpu.h \
    $(wildcard include/config/NEED_PER_CPU_EMBED_FIRST_CHUNK) \
    $(wildcard include/config/NEED_PER_CPU_PAGE_FIRST_CHUNK) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/mmdebug.h \
    $(wildcard include/config/DEBUG_VM) \
    $(wildcard include/config/DEBUG_VM_IRQSOFF) \
    $(wildcard include/config/DEBUG_VM_PGFLAGS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/seqlock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/timerqueue.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/seccomp.h \
    $(wildcard include/config/SECCOMP) \
    $(wildcard include/config/HAVE_ARCH_SECCOMP_FILTER) \
    $(wildcard include/config/SECCOMP_FILTER) \
    $(wildcard include/config/CHECKPOINT_RESTORE) \
    $(wildcard include/config/SECCOMP_CACHE_DEBUG) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/seccomp.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/seccomp.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/unistd.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/unistd.h \
  arch/x86/include/generated/uapi/asm/unistd_32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/seccomp.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/unistd.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/nodemask.h \
    $(wildcard include/config/HIGHMEM) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/random.h \
    $(wildcard include/config/VMGENID) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/once.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/random.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/irqnr.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/irqnr.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/prandom.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/archrandom.h \
    $(wildcard include/config/UML) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/resource.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/resource.h \
  arch/x86/include/generated/uapi/asm/resource.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/resource.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/resource.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/latencytop.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/prio.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/signal_types.h \
    $(wildcard include/config/OLD_SIGACTION) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/signal.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/signal.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/signal.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/signal-defs.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/siginfo.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/siginfo.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/syscall_user_dispatch.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/mm_types_task.h \
    $(wildcard include/config/ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH) \
    $(wildcard include/config/SPLIT_PTLOCK_CPUS) \
    $(wildcard include/config/ARCH_ENABLE_SPLIT_PMD_PTLOCK) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/tlbbatch.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/task_io_accounting.h \
    $(wildcard include/config/TASK_IO_ACCOUNTING) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/posix-timers.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/alarmtimer.h \
    $(wildcard include/config/RTC_CLASS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/rseq.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kcsan.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rv.h \
    $(wildcard include/config/RV_REACTORS) \
  arch/x86/include/generated/asm/kmap_size.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/kmap_size.h \
    $(wildcard include/config/DEBUG_KMAP_LOCAL) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/exec.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/binfmts.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/capability.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/capability.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/cred.h \
    $(wildcard include/config/DEBUG_CREDENTIALS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/key.h \
    $(wildcard include/config/KEY_NOTIFICATIONS) \
    $(wildcard include/config/NET) \
    $(wildcard include/config/SYSCTL) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sysctl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/sysctl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rwsem.h \
    $(wildcard include/config/RWSEM_SPIN_ON_OWNER) \
    $(wildcard include/config/DEBUG_RWSEMS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/assoc_array.h \
    $(wildcard include/config/ASSOCIATIVE_ARRAY) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/user.h \
    $(wildcard include/config/EPOLL) \
    $(wildcard include/config/VFIO_PCI_ZDEV_KVM) \
    $(wildcard include/config/WATCH_QUEUE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/percpu_counter.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/gfp.h \
    $(wildcard include/config/ZONE_DMA) \
    $(wildcard include/config/ZONE_DMA32) \
    $(wildcard include/config/ZONE_DEVICE) \
    $(wildcard include/config/PM_SLEEP) \
    $(wildcard include/config/CONTIG_ALLOC) \
    $(wildcard include/config/CMA) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/mmzone.h \
    $(wildcard include/config/ARCH_FORCE_MAX_ORDER) \
    $(wildcard include/config/MEMORY_ISOLATION) \
    $(wildcard include/config/ZSMALLOC) \
    $(wildcard include/config/SWAP) \
    $(wildcard include/config/TRANSPARENT_HUGEPAGE) \
    $(wildcard include/config/LRU_GEN_STATS) \
    $(wildcard include/config/MEMORY_HOTPLUG) \
    $(wildcard include/config/PAGE_EXTENSION) \
    $(wildcard include/config/DEFERRED_STRUCT_PAGE_INIT) \
    $(wildcard include/config/HAVE_MEMORYLESS_NODES) \
    $(wildcard include/config/SPARSEMEM_EXTREME) \
    $(wildcard include/config/HAVE_ARCH_PFN_VALID) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/pageblock-flags.h \
    $(wildcard include/config/HUGETLB_PAGE) \
    $(wildcard include/config/HUGETLB_PAGE_SIZE_VARIABLE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/page-flags-layout.h \
  include/generated/bounds.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/mm_types.h \
    $(wildcard include/config/HAVE_ALIGNED_STRUCT_PAGE) \
    $(wildcard include/config/ARCH_WANT_HUGE_PMD_SHARE) \
    $(wildcard include/config/USERFAULTFD) \
    $(wildcard include/config/HAVE_ARCH_COMPAT_MMAP_BASES) \
    $(wildcard include/config/AIO) \
    $(wildcard include/config/MMU_NOTIFIER) \
    $(wildcard include/config/KSM) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/auxvec.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/auxvec.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/auxvec.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kref.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/maple_tree.h \
    $(wildcard include/config/MAPLE_RCU_DISABLED) \
    $(wildcard include/config/DEBUG_MAPLE_TREE_VERBOSE) \
    $(wildcard include/config/DEBUG_MAPLE_TREE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/completion.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/swait.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/uprobes.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/uprobes.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/notifier.h \
    $(wildcard include/config/TREE_SRCU) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/srcu.h \
    $(wildcard include/config/TINY_SRCU) \
    $(wildcard include/config/SRCU) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rcu_segcblist.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/srcutree.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rcu_node_tree.h \
    $(wildcard include/config/RCU_FANOUT) \
    $(wildcard include/config/RCU_FANOUT_LEAF) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/mmu.h \
    $(wildcard include/config/MODIFY_LDT_SYSCALL) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/page-flags.h \
    $(wildcard include/config/ARCH_USES_PG_UNCACHED) \
    $(wildcard include/config/MEMORY_FAILURE) \
    $(wildcard include/config/PAGE_IDLE_FLAG) \
    $(wildcard include/config/HUGETLB_PAGE_OPTIMIZE_VMEMMAP) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/local_lock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/local_lock_internal.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/memory_hotplug.h \
    $(wildcard include/config/HAVE_ARCH_NODEDATA_EXTENSION) \
    $(wildcard include/config/ARCH_HAS_ADD_PAGES) \
    $(wildcard include/config/MEMORY_HOTREMOVE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/topology.h \
    $(wildcard include/config/USE_PERCPU_NUMA_NODE_ID) \
    $(wildcard include/config/SCHED_SMT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/arch_topology.h \
    $(wildcard include/config/ACPI_CPPC_LIB) \
    $(wildcard include/config/GENERIC_ARCH_TOPOLOGY) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/topology.h \
    $(wildcard include/config/SCHED_MC_PRIO) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/topology.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/ratelimit.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/file.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/fs.h \
    $(wildcard include/config/READ_ONLY_THP_FOR_FS) \
    $(wildcard include/config/FS_POSIX_ACL) \
    $(wildcard include/config/CGROUP_WRITEBACK) \
    $(wildcard include/config/IMA) \
    $(wildcard include/config/FILE_LOCKING) \
    $(wildcard include/config/FSNOTIFY) \
    $(wildcard include/config/FS_ENCRYPTION) \
    $(wildcard include/config/FS_VERITY) \
    $(wildcard include/config/UNICODE) \
    $(wildcard include/config/QUOTA) \
    $(wildcard include/config/FS_DAX) \
    $(wildcard include/config/BLOCK) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/wait_bit.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kdev_t.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/kdev_t.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/dcache.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rculist_bl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/list_bl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/bit_spinlock.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/lockref.h \
    $(wildcard include/config/ARCH_USE_CMPXCHG_LOCKREF) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/stringhash.h \
    $(wildcard include/config/DCACHE_WORD_ACCESS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/hash.h \
    $(wildcard include/config/HAVE_ARCH_HASH) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/path.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/stat.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/uapi/asm/stat.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/stat.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/list_lru.h \
    $(wildcard include/config/MEMCG_KMEM) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/shrinker.h \
    $(wildcard include/config/SHRINKER_DEBUG) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/xarray.h \
    $(wildcard include/config/XARRAY_MULTI) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kconfig.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/mm.h \
    $(wildcard include/config/ARCH_HAS_MEMBARRIER_CALLBACKS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sync_core.h \
    $(wildcard include/config/ARCH_HAS_SYNC_CORE_BEFORE_USERMODE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/sync_core.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/ioasid.h \
    $(wildcard include/config/IOASID) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/radix-tree.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/semaphore.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/fcntl.h \
    $(wildcard include/config/ARCH_32BIT_OFF_T) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/fcntl.h \
  arch/x86/include/generated/uapi/asm/fcntl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/asm-generic/fcntl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/openat2.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/migrate_mode.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/percpu-rwsem.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rcuwait.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/signal.h \
    $(wildcard include/config/SCHED_AUTOGROUP) \
    $(wildcard include/config/BSD_PROCESS_ACCT) \
    $(wildcard include/config/TASKSTATS) \
    $(wildcard include/config/STACK_GROWSUP) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/signal.h \
    $(wildcard include/config/DYNAMIC_SIGFRAME) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/jobctl.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/task.h \
    $(wildcard include/config/HAVE_EXIT_THREAD) \
    $(wildcard include/config/ARCH_WANTS_DYNAMIC_TASK_STRUCT) \
    $(wildcard include/config/HAVE_ARCH_THREAD_STRUCT_WHITELIST) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/uaccess.h \
    $(wildcard include/config/ARCH_HAS_SUBPAGE_FAULTS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/fault-inject-usercopy.h \
    $(wildcard include/config/FAULT_INJECTION_USERCOPY) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/uaccess.h \
    $(wildcard include/config/CC_HAS_ASM_GOTO_OUTPUT) \
    $(wildcard include/config/CC_HAS_ASM_GOTO_TIED_OUTPUT) \
    $(wildcard include/config/ARCH_HAS_COPY_MC) \
    $(wildcard include/config/X86_INTEL_USERCOPY) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/smap.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/extable.h \
    $(wildcard include/config/BPF_JIT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/access_ok.h \
    $(wildcard include/config/ALTERNATE_USER_ADDRESS_SPACE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/uaccess_32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rcu_sync.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/delayed_call.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/uuid.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/uuid.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/errseq.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/ioprio.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/rt.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/iocontext.h \
    $(wildcard include/config/BLK_ICQ) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/ioprio.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/fs_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/mount.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/mnt_idmapping.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/slab.h \
    $(wildcard include/config/DEBUG_SLAB) \
    $(wildcard include/config/FAILSLAB) \
    $(wildcard include/config/KFENCE) \
    $(wildcard include/config/SLAB) \
    $(wildcard include/config/SLUB) \
    $(wildcard include/config/SLOB) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/percpu-refcount.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kasan.h \
    $(wildcard include/config/KASAN) \
    $(wildcard include/config/KASAN_STACK) \
    $(wildcard include/config/KASAN_VMALLOC) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kasan-enabled.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/fs.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/quota.h \
    $(wildcard include/config/QUOTA_NETLINK_INTERFACE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/dqblk_xfs.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/dqblk_v1.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/dqblk_v2.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/dqblk_qtree.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/projid.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/quota.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/nfs_fs_i.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/hashtable.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/miscdevice.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/major.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/device.h \
    $(wildcard include/config/GENERIC_MSI_IRQ_DOMAIN) \
    $(wildcard include/config/GENERIC_MSI_IRQ) \
    $(wildcard include/config/ENERGY_MODEL) \
    $(wildcard include/config/PINCTRL) \
    $(wildcard include/config/DMA_OPS) \
    $(wildcard include/config/DMA_DECLARE_COHERENT) \
    $(wildcard include/config/DMA_CMA) \
    $(wildcard include/config/SWIOTLB) \
    $(wildcard include/config/ARCH_HAS_SYNC_DMA_FOR_DEVICE) \
    $(wildcard include/config/ARCH_HAS_SYNC_DMA_FOR_CPU) \
    $(wildcard include/config/ARCH_HAS_SYNC_DMA_FOR_CPU_ALL) \
    $(wildcard include/config/DMA_OPS_BYPASS) \
    $(wildcard include/config/PM) \
    $(wildcard include/config/OF) \
    $(wildcard include/config/DEVTMPFS) \
    $(wildcard include/config/SYSFS_DEPRECATED) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/dev_printk.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/energy_model.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kobject.h \
    $(wildcard include/config/UEVENT_HELPER) \
    $(wildcard include/config/DEBUG_KOBJECT_RELEASE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sysfs.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kernfs.h \
    $(wildcard include/config/KERNFS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/idr.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kobject_ns.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/cpufreq.h \
    $(wildcard include/config/CPU_FREQ) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/topology.h \
    $(wildcard include/config/SCHED_DEBUG) \
    $(wildcard include/config/SCHED_CLUSTER) \
    $(wildcard include/config/SCHED_MC) \
    $(wildcard include/config/CPU_FREQ_GOV_SCHEDUTIL) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/idle.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/sched/sd_flags.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/ioport.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/klist.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/pm.h \
    $(wildcard include/config/VT_CONSOLE_SLEEP) \
    $(wildcard include/config/CXL_SUSPEND) \
    $(wildcard include/config/PM_CLK) \
    $(wildcard include/config/PM_GENERIC_DOMAINS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/device/bus.h \
    $(wildcard include/config/ACPI) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/device/class.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/device/driver.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/module.h \
    $(wildcard include/config/MODULES_TREE_LOOKUP) \
    $(wildcard include/config/STACKTRACE_BUILD_ID) \
    $(wildcard include/config/ARCH_USES_CFI_TRAPS) \
    $(wildcard include/config/MODULE_SIG) \
    $(wildcard include/config/ARCH_WANTS_MODULES_DATA_IN_VMALLOC) \
    $(wildcard include/config/KALLSYMS) \
    $(wildcard include/config/BPF_EVENTS) \
    $(wildcard include/config/EVENT_TRACING) \
    $(wildcard include/config/MODULE_UNLOAD) \
    $(wildcard include/config/CONSTRUCTORS) \
    $(wildcard include/config/FUNCTION_ERROR_INJECTION) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/buildid.h \
    $(wildcard include/config/CRASH_CORE) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/kmod.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/umh.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/elf.h \
    $(wildcard include/config/ARCH_USE_GNU_PROPERTY) \
    $(wildcard include/config/ARCH_HAVE_ELF_PROT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/elf.h \
    $(wildcard include/config/X86_X32_ABI) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/user.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/user_32.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/fsgsbase.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/syscall.h \
    $(wildcard include/config/X86_X32_DISABLED) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/audit.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/elf-em.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/vdso.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/desc.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/fixmap.h \
    $(wildcard include/config/DEBUG_KMAP_LOCAL_FORCE_MAP) \
    $(wildcard include/config/X86_VSYSCALL_EMULATION) \
    $(wildcard include/config/PROVIDE_OHCI1394_DMA_INIT) \
    $(wildcard include/config/X86_IO_APIC) \
    $(wildcard include/config/PCI_MMCONFIG) \
    $(wildcard include/config/ACPI_APEI_GHES) \
    $(wildcard include/config/INTEL_TXT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/apicdef.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/fixmap.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/irq_vectors.h \
    $(wildcard include/config/HAVE_KVM) \
    $(wildcard include/config/HYPERV) \
    $(wildcard include/config/PCI_MSI) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/cpu_entry_area.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/intel_ds.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/pgtable_areas.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/pgtable_32_areas.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/uapi/linux/elf.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/moduleparam.h \
    $(wildcard include/config/ALPHA) \
    $(wildcard include/config/IA64) \
    $(wildcard include/config/PPC64) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/rbtree_latch.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/error-injection.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/error-injection.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/module.h \
    $(wildcard include/config/UNWINDER_ORC) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/asm-generic/module.h \
    $(wildcard include/config/HAVE_MOD_ARCH_SPECIFIC) \
    $(wildcard include/config/MODULES_USE_ELF_REL) \
    $(wildcard include/config/MODULES_USE_ELF_RELA) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/orc_types.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/device.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/pm_wakeup.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/task_work.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/tracepoint.h \
    $(wildcard include/config/HAVE_SYSCALL_TRACEPOINTS) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/static_call.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/cpu.h \
    $(wildcard include/config/PM_SLEEP_SMP) \
    $(wildcard include/config/PM_SLEEP_SMP_NONZERO_CPU) \
    $(wildcard include/config/ARCH_HAS_CPU_FINALIZE_INIT) \
    $(wildcard include/config/HOTPLUG_SMT) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/node.h \
    $(wildcard include/config/HMEM_REPORTING) \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/include/linux/cpuhotplug.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/static_call.h \
  /tmp/explore/root/usr/src/linux-headers-6.1.0-50-common/arch/x86/include/asm/text-patching.h \
    $(wildcard include/config/UML_X86) \
  /work/main/images/linux/filemon/../include/dev/filemon/filemon.h \
  /work/main/images/linux/filemon/filemon_hooks.c \

/work/main/images/linux/filemon/filemon.o: $(deps_/work/main/images/linux/filemon/filemon.o)

$(deps_/work/main/images/linux/filemon/filemon.o):
