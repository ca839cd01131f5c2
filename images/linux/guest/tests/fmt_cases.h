/* The list of conformance cases (see fmt_main.c). */
#ifndef FMT_CASES_H
#define FMT_CASES_H

#define FMT_CASES \
	FMT_CASE(rec_r) \
	FMT_CASE(rec_w) \
	FMT_CASE(rec_rw) \
	FMT_CASE(rec_a) \
	FMT_CASE(rec_openat2) \
	FMT_CASE(rec_c) \
	FMT_CASE(rec_d) \
	FMT_CASE(rec_e) \
	FMT_CASE(rec_execveat) \
	FMT_CASE(rec_f) \
	FMT_CASE(rec_l) \
	FMT_CASE(rec_m) \
	FMT_CASE(rec_x) \
	FMT_CASE(rec_long) \
	FMT_CASE(not_logged) \
	FMT_CASE(err_setfd) \
	FMT_CASE(err_setpid) \
	FMT_CASE(err_ioctl) \
	FMT_CASE(err_busy) \
	FMT_CASE(err_toolong) \
	FMT_CASE(err_efault) \
	FMT_CASE(err_enospc) \
	FMT_CASE(fork_tree) \
	FMT_CASE(vfork_exec) \
	FMT_CASE(clone_variants) \
	FMT_CASE(threads) \
	FMT_CASE(threads_exit) \
	FMT_CASE(thread_exec) \
	FMT_CASE(exec_fail) \
	FMT_CASE(open_fail) \
	FMT_CASE(killed) \
	FMT_CASE(two_instances) \
	FMT_CASE(setpid_repeat) \
	FMT_CASE(close_running) \
	FMT_CASE(tracer_dies) \
	FMT_CASE(setid_exec) \
	FMT_CASE(rec_fault) \
	FMT_CASE(rec_e_script) \
	FMT_CASE(killed_core) \
	FMT_CASE(err_setpid_cred) \
	FMT_CASE(setpid_exec_busy) \
	FMT_CASE(mem_pressure) \
	FMT_CASE(exit_group_writes) \
	FMT_CASE(kill9_writes)

#define FMT_CASE(n) void case_##n(void);
FMT_CASES
#undef FMT_CASE

#endif
