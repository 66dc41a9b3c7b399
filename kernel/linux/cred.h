/* Credentials: the capability model behind a process's ids (Linux's
 * commoncap.c for processes without file capabilities), and what the file
 * system is told of them.  The sets live in struct process_cred
 * (process.h), under sig_lock. */
#ifndef AMPHI_LINUX_CRED_H
#define AMPHI_LINUX_CRED_H

#include <stdbool.h>
#include <stdint.h>

struct exec_args;
struct process;
struct process_cred;

/* Linux's capability numbers (those amphi checks, and the last). */
#define CAP_CHOWN		0
#define CAP_DAC_OVERRIDE	1
#define CAP_FOWNER		3
#define CAP_KILL		5
#define CAP_SETGID		6
#define CAP_SETUID		7
#define CAP_SETPCAP		8
#define CAP_NET_BIND_SERVICE	10
#define CAP_NET_ADMIN		12
#define CAP_NET_RAW		13
#define CAP_IPC_LOCK		14
#define CAP_SYS_CHROOT		18
#define CAP_SYS_PTRACE		19
#define CAP_SYS_ADMIN		21
#define CAP_SYS_NICE		23
#define CAP_SYS_RESOURCE	24
#define CAP_SYSLOG		34
#define CAP_WAKE_ALARM		35
#define CAP_LAST_CAP		40	/* CAP_CHECKPOINT_RESTORE, Linux 5.9 to 6.x */
#define CAP_FULL_SET		((1ull << (CAP_LAST_CAP + 1)) - 1)

/* The first process's ids, from the run's `user` setting ("UID" or
 * "UID:GID"): false if malformed. */
bool cred_set_start_user(const char *value);
/* What the first process starts with: root's full sets, or the user's
 * ids with no capabilities. */
void cred_init_start(struct process_cred *c);

/* Caller holds sig_lock.  After a setuid-family call changed uid[] from
 * old_uid (all four ids): Linux's cap_emulate_setxuid. */
void cred_after_setuid(struct process_cred *c, const uint32_t old_uid[4]);
/* After setfsuid changed the fs uid from old_fsuid. */
void cred_after_setfsuid(struct process_cred *c, uint32_t old_fsuid);
/* execve (no file capabilities): the effective ids become ids[1] and
 * ids[3] (exec_args's: a set-id file's owner), the saved and fs ones
 * follow, and the capability sets are recomputed. */
void cred_after_exec(struct process_cred *c, const uint32_t ids[4]);

/* What an execve by p starts from (exec_args's ids and no_new_privs;
 * takes sig_lock). */
void cred_exec_prepare(struct process *p, struct exec_args *a);
/* Whether the calling process has cap in its effective set (takes sig_lock). */
bool cred_capable(int cap);
/* Registers the calling thread's credentials with the file system. */
void cred_vfs_register(void);
/* And with the sockets (AF_UNIX credentials). */
void cred_net_register(void);
/* And with the address spaces (who may lock memory past RLIMIT_MEMLOCK). */
void cred_vm_register(void);

#endif
