#include <linux/module.h>
#define INCLUDE_VERMAGIC
#include <linux/build-salt.h>
#include <linux/elfnote-lto.h>
#include <linux/export-internal.h>
#include <linux/vermagic.h>
#include <linux/compiler.h>

BUILD_SALT;
BUILD_LTO_INFO;

MODULE_INFO(vermagic, VERMAGIC_STRING);
MODULE_INFO(name, KBUILD_MODNAME);

__visible struct module __this_module
__section(".gnu.linkonce.this_module") = {
	.name = KBUILD_MODNAME,
	.init = init_module,
#ifdef CONFIG_MODULE_UNLOAD
	.exit = cleanup_module,
#endif
	.arch = MODULE_ARCH_INIT,
};

#ifdef CONFIG_RETPOLINE
MODULE_INFO(retpoline, "Y");
#endif


static const struct modversion_info ____versions[]
__used __section("__versions") = {
	{ 0xbdfb6dbb, "__fentry__" },
	{ 0x7240a66f, "__stack_chk_guard" },
	{ 0xe1043eb9, "kernel_write" },
	{ 0xa19b956, "__stack_chk_fail" },
	{ 0xba8fbd64, "_raw_spin_lock" },
	{ 0xb5b54b34, "_raw_spin_unlock" },
	{ 0xe1537255, "__list_del_entry_valid" },
	{ 0x37a0cba, "kfree" },
	{ 0x9ec6ca96, "ktime_get_real_ts64" },
	{ 0x5b6d46c, "current_task" },
	{ 0x100fb6, "__task_pid_nr_ns" },
	{ 0x314b20c8, "scnprintf" },
	{ 0x8522d6bc, "strncpy_from_user" },
	{ 0xdaf65445, "vsnprintf" },
	{ 0xe2d5255a, "strcmp" },
	{ 0xdbeeece6, "tracepoint_probe_unregister" },
	{ 0x1cb9af97, "tracepoint_srcu" },
	{ 0x2067b4ca, "synchronize_srcu" },
	{ 0x6091797f, "synchronize_rcu" },
	{ 0x49cd25ed, "alloc_workqueue" },
	{ 0x50c89f23, "__alloc_percpu" },
	{ 0x58c6377, "for_each_kernel_tracepoint" },
	{ 0x70f7896, "_printk" },
	{ 0x95e102ab, "tracepoint_probe_register" },
	{ 0x7ac0847b, "misc_register" },
	{ 0xc9ec4e21, "free_percpu" },
	{ 0x8c03d20c, "destroy_workqueue" },
	{ 0xae44a340, "misc_deregister" },
	{ 0xe2c17b5d, "__SCT__might_resched" },
	{ 0x5e332b52, "__var_waitqueue" },
	{ 0x5d49aabc, "init_wait_var_entry" },
	{ 0x8c26d495, "prepare_to_wait_event" },
	{ 0x4292364c, "schedule" },
	{ 0x92540fbf, "finish_wait" },
	{ 0x60a13e90, "rcu_barrier" },
	{ 0xbaf22757, "kvfree_call_rcu" },
	{ 0xc4230dc2, "fget_raw" },
	{ 0x4193f8a5, "d_path" },
	{ 0x1be244d2, "fput" },
	{ 0x4845c6dc, "kmalloc_caches" },
	{ 0x3df92324, "kmalloc_trace" },
	{ 0xd298e64e, "__mutex_init" },
	{ 0xccc967b3, "nonseekable_open" },
	{ 0xe0dc7250, "__put_cred" },
	{ 0x296695f, "refcount_warn_saturate" },
	{ 0x7006f1c8, "mutex_lock" },
	{ 0x7b1c8bfb, "mutex_unlock" },
	{ 0xf8f61ebc, "wake_up_var" },
	{ 0x8d522714, "__rcu_read_lock" },
	{ 0x2469810f, "__rcu_read_unlock" },
	{ 0x6729d3df, "__get_user_4" },
	{ 0xb89273ce, "find_vpid" },
	{ 0x4cc4f6c3, "pid_task" },
	{ 0x6a2252d2, "fget" },
	{ 0xf9c3b94c, "__put_task_struct" },
	{ 0x2d6fcc06, "__kmalloc" },
	{ 0x2e60bace, "memcpy" },
	{ 0x68f31cbd, "__list_add_valid" },
	{ 0x5f83c725, "task_work_add" },
	{ 0xb2d48a2e, "queue_work_on" },
	{ 0x4629334c, "__preempt_count" },
	{ 0x53569707, "this_cpu_off" },
	{ 0x6c2e3320, "strncmp" },
	{ 0x349cba85, "strchr" },
	{ 0x48d88a2c, "__SCT__preempt_schedule" },
	{ 0x13c49cc2, "_copy_from_user" },
	{ 0x89f6e291, "module_layout" },
};

MODULE_INFO(depends, "");

