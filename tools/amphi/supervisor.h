/* The supervisor: the daemon behind one network server (docs/netserver.md).
 * One process, one poll loop, nothing that blocks: it runs the server VM
 * and restarts it, serves QEMU's ivshmem-server protocol on every slot's
 * socket, hands slots to apps, and answers the control socket.
 *
 *   supervisor.c   set-up before the fork, the loop, stopping
 *   server_vm.c    the server VM: its initrd, QEMU, console, restarts
 *   ivshmem.c      the ivshmem-server protocol, one peer at a time
 *   slot.c         the regions: assigning and freeing slots
 *   control.c      the control socket: requests, attach, stop
 *   control_status.c  status text and JSON
 *   switch.c       mode switches: requests, the apps' policies, the jobs
 *   switch_job.c   one switch, in a child process: a NIC hot-plugged or removed
 *   qmp.c          the child's QMP client
 *   tap.c          a tap of the supervisor's own on a bridge */
#ifndef AMPHI_TOOL_SUPERVISOR_H
#define AMPHI_TOOL_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include "amphi.h"
#include "frame.h"
#include "link.h"
#include "queue.h"
#include "server.h"

#define PEER_QUEUE	16	/* ivshmem messages waiting for one slow peer */
#define CLIENTS_MAX	1024	/* control connections at once */
#define CLIENT_OUT_MAX	(4u << 20)	/* a reply a client does not read, at most */

/* What amphi server start decided: the supervisor's settings for life. */
struct server_opts {
	const char *name;
	char *dir;			/* runtime/NAME */
	unsigned nslots;
	struct run_opts vm;		/* qemu, accel, smp, mem, kernel, net */
	uint8_t mac[6];			/* the server VM's, for its whole life */
	char tap_name[16];		/* bridge mode: the supervisor's tap */
	unsigned deadline_s;		/* for the first VM to say it forwards */
	unsigned max_direct;		/* apps in direct mode at once */
};

/* One ivshmem-server message: a 64-bit number and maybe a descriptor,
 * which the message owns (a dup) until it is sent. */
struct ivmsg {
	int64_t value;
	int fd;				/* -1: none */
};

/* One QEMU on a slot's socket: the server VM (id 0) or the slot's app. */
struct peer {
	int fd;				/* the connection; -1: none */
	uint16_t id;
	struct ivmsg q[PEER_QUEUE];	/* waiting for the socket to take them */
	unsigned qhead, qlen, qsent;	/* qsent: bytes of the head already sent */
};

enum side { SIDE_SERVER, SIDE_APP };

struct client;

#define SWITCH_DEADLINE_MS	20000	/* one switch's exchange, under CONTROL_TIMEOUT */
#define SWITCH_UNDO_MS		5000	/* taking back a NIC the app did not take */
#define SWITCH_KILL_MS		(SWITCH_DEADLINE_MS + SWITCH_UNDO_MS + 2000)	/* a job still there is killed */
#define POLICY_POLL_MS		100	/* how often the apps' requests are looked at */
#define POLICY_GAP_MS		1000	/* between a switch's end and a policy's next one */

/* A switch under way (switch.c): a child process does the QMP exchange
 * and the waiting (switch_job.c) and writes its result on a pipe. */
struct switch_job {
	pid_t pid;			/* 0: none */
	bool dead;			/* killed or waited for: never kill pid again */
	int fd;				/* the result pipe, ours to read */
	bool to_direct;
	struct client *asker;		/* amphi switch, waiting; NULL: the policy or gone */
	int64_t started_ms;
	char out[256];			/* its lines so far */
	size_t out_len;
};

/* The app a slot is assigned to.  The supervisor's own copy: what the
 * region says about it may have been overwritten by the app. */
struct app {
	char name[LINK_NAME_MAX];
	pid_t pid;
	uint32_t mode;			/* enum link_mode */
	uint8_t mac[6];			/* own mode */
	uint16_t peer_id;
	struct client *ctl;		/* its control connection; NULL once closed */
	bool hotplug;			/* own mode on q35: it can take a NIC */
	/* Switching, as the supervisor did it; never what the region says. */
	bool direct;			/* on a NIC of its own */
	unsigned nic;			/* that NIC's number (QEMU ids) while it may be plugged; 0: none */
	unsigned nics;			/* NICs given so far */
	char tap[16];			/* the NIC's tap */
	unsigned switches, refusals;
	uint32_t want_seq;		/* the last request of its policy taken */
	int64_t job_ended_ms;		/* when the last switch ended */
	struct switch_job job;
};

struct slot {
	unsigned index;
	int memfd, listen_fd;
	uint8_t *base;			/* the region, LINK_REGION_SIZE bytes */
	char *path;			/* its socket */
	char *qmp_path;			/* where a switchable app's QEMU listens for QMP */
	bool assigned;
	uint32_t attach_seq;
	uint16_t next_peer;		/* the next app's ivshmem id */
	struct app app;
	struct peer server, app_peer;
	/* Each side's doorbells (writing 1 rings it), for the supervisor's
	 * whole life: every server VM and every app on the slot gets the
	 * same ones (ivshmem.c says why). */
	int efd[2][LINK_VECTORS];	/* [enum side][vector] */
};

/* A connection on the control socket. */
struct client {
	int fd;
	pid_t pid;			/* SO_PEERCRED */
	char in[CONTROL_LINE_MAX];
	size_t in_len;
	struct queue out;
	bool closing;			/* close once out is written */
	bool waiting;			/* for a switch: its next requests wait */
	struct slot *slot;		/* the slot its attach holds */
	struct client *next;
};

/* The server VM: one QEMU at a time, a new generation at each start. */
struct server_vm {
	struct vm vm;
	bool running;
	bool out_open, err_open;
	struct frame_decoder dec;
	struct queue klog, qlog;	/* the last words, for a start that fails */
	int log_bol, qlog_bol;
	uint32_t generation;
	unsigned restarts, quick_deaths;
	int64_t started_ms;
	int64_t restart_at;		/* a start waiting for its back-off; 0: none */
	int64_t kill_at;		/* the VM said X or P: QEMU's time to go; 0: none */
	bool ready;			/* this generation sent R */
};

struct supervisor {
	struct server_opts *o;
	struct slot *slots;
	int control_fd, sig_fd, log_fd, pid_fd, tap_fd;
	int report_fd;			/* to amphi server start until ready; then -1 */
	int ledger_fd;			/* the server VMs' ledger (link.h), a memfd they inherit */
	/* Mapped: its first part written by the server VM alone, its
	 * assignments (link_assign) by us alone. */
	struct link_ledger *ledger;
	struct client *clients;
	unsigned nclients;
	uint32_t attach_seq;
	uint8_t key[16];		/* the server VMs' SipHash key (link.h) */
	struct server_vm vm;
	int64_t started_ms;
	int64_t policy_at;		/* the next look at the apps' requests */
	bool ever_ready, stopping;
	int exit_status;
	off_t log_size;
};

/* supervisor.c */
int memfd_seal_size(int fd);
int supervisor_prepare(struct supervisor *sv, struct server_opts *o, int pid_fd);
noreturn void supervisor_run(struct supervisor *sv, int report_fd);
void sv_log(struct supervisor *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_log_raw(struct supervisor *sv, const void *data, size_t n);
void sv_report(struct supervisor *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_report_end(struct supervisor *sv, int status);
int64_t sv_uptime_s(const struct supervisor *sv);

/* server_vm.c */
void server_vm_start(struct supervisor *sv);
void server_vm_output(struct supervisor *sv, int fd);
void server_vm_reap(struct supervisor *sv);
int server_vm_tick(struct supervisor *sv);	/* runs what is due; ms to the next, -1: none */
void server_vm_stop(struct supervisor *sv);

/* ivshmem.c */
void peer_accept(struct supervisor *sv, struct slot *s);
void peer_flush(struct supervisor *sv, struct slot *s, struct peer *p);
void peer_input(struct supervisor *sv, struct slot *s, struct peer *p);
void peer_gone(struct supervisor *sv, struct slot *s, struct peer *p);
void peer_announce_app(struct supervisor *sv, struct slot *s);
void slot_ring(const struct slot *s, enum side side, unsigned vector);
bool pid_descends_from(pid_t pid, pid_t ancestor);

/* slot.c */
int slots_create(struct supervisor *sv);
struct slot *slot_assign(struct supervisor *sv, const struct app *app);
void slot_release_check(struct supervisor *sv, struct slot *s);
unsigned slots_used(const struct supervisor *sv);

/* control.c */
void control_accept(struct supervisor *sv);
void control_input(struct supervisor *sv, struct client *c);
void control_output(struct supervisor *sv, struct client *c);
void control_close(struct supervisor *sv, struct client *c);
struct slot *slot_of_app(const struct supervisor *sv, const char *name);
void reply(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* control_status.c */
void status_text(struct supervisor *sv, struct client *c);
void status_json(struct supervisor *sv, struct client *c);

/* switch.c */
void req_switch(struct supervisor *sv, struct client *c, char **args, int nargs);
int switch_tick(struct supervisor *sv);		/* ms to the next look, -1: none */
void switch_output(struct supervisor *sv, struct slot *s);
void switch_reaped(struct supervisor *sv, pid_t pid);
void switch_app_left(struct supervisor *sv, struct slot *s);
void switch_client_gone(struct supervisor *sv, const struct client *c);
void switch_stop_all(struct supervisor *sv);
unsigned switch_nics_used(const struct supervisor *sv);

/* switch_job.c: what the child needs, copied before the fork */
struct switch_spec {
	bool to_direct;
	unsigned nic;
	const char *bridge, *qmp_path;
	pid_t app_pid;
	uint8_t mac[6];
	const uint32_t *direct;		/* the app's link_app.direct, in the region */
	int64_t started_ms;
};
noreturn void switch_job_run(const struct switch_spec *j, int out);

/* qmp.c */
struct qmp {
	int fd;
	char *buf, *line;		/* what was read; the last line, squeezed */
	size_t len;
	int64_t deadline;
	const char *watch;		/* a device whose DEVICE_DELETED is awaited */
	bool deleted;			/* it came */
};
int qmp_open(struct qmp *q, const char *path, pid_t owner, int64_t deadline, char **why);
int qmp_call(struct qmp *q, const char *json, int fd, char **why);
int qmp_next(struct qmp *q, int64_t until);
void qmp_close(struct qmp *q);

/* tap.c */
int tap_create(const char *bridge, bool nic, char name[16], char **why);

#endif
