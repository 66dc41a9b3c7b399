/* amphi server: what its commands (server_*.c), amphi run --server and the
 * supervisor share: the runtime folder (runtime.c) and the control socket
 * as a client sees it (control_client.c).  docs/netserver.md has the
 * design. */
#ifndef AMPHI_TOOL_SERVER_H
#define AMPHI_TOOL_SERVER_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "link.h"

#define SERVER_NAME_MAX	32
#define SLOTS_DEFAULT	64
/* The server kernel gives each slot an interrupt vector of its own, from
 * the ~170 a CPU has for devices: 128 leaves room for the rest. */
#define SLOTS_MAX	128
#define CONTROL_LINE_MAX 512	/* a request line, newline included */
#define MAX_DIRECT_DEFAULT 4	/* apps in direct mode at once (server start --max-direct) */

/* runtime.c */
enum { SERVER_NONE, SERVER_LIVE, SERVER_STALE };
const char *runtime_dir(void);
int runtime_lock(void);		/* a short lock on it; close() lets go */
int server_name_ok(const char *s);
int app_name_ok(const char *s);
char *server_path(const char *name, const char *file);	/* file NULL: the folder */
int server_probe(const char *name, int *pid_fd);
char **server_names(size_t *n);
int server_dir_create(const char *name);
void server_dir_remove(const char *dir);
struct sockaddr_un;
int unix_addr(struct sockaddr_un *a, const char *path);

/* control_client.c: "cmd" names the command for messages ("server status"). */
int control_connect(const char *name);
int control_open(const char *cmd, const char *name, int *pid_fd);	/* dies (2) if unknown */
char *control_request(const char *cmd, const char *name, int fd, const char *request);

/* cmd_server.c and one file per subcommand */
int cmd_server(int argc, char **argv);
void cmd_server_usage(FILE *out);
int server_start(int argc, char **argv);
int server_stop(int argc, char **argv);
int server_list(int argc, char **argv);
int server_status(int argc, char **argv);
void format_duration(char *buf, size_t size, int64_t seconds);
struct option;
const char *server_one_name(const char *cmd, int argc, char **argv, const struct option *extra,
			    int *flag);

/* cmd_switch.c: amphi switch APP direct|server */
int cmd_switch(int argc, char **argv);
void cmd_switch_usage(FILE *out);

/* vm_names.c: amphi run --name's registration, for amphi kill and stop */
void vm_name_claim(const char *name);
pid_t vm_name_pid(const char *name);
pid_t vm_running(const char *cmd, int argc, char **argv);

/* cmd_kill.c, cmd_stop.c: amphi kill [--signal SIG] APP, amphi stop APP */
int cmd_kill(int argc, char **argv);
void cmd_kill_usage(FILE *out);
int cmd_stop(int argc, char **argv);
void cmd_stop_usage(FILE *out);

/* link_client.c: amphi run --server's attach (the connection stays open,
 * close-on-exec, for the run's life) */
struct net_opts;
int link_attach(struct net_opts *n, const char *app, const char *program);
char *link_default_name(const char *program);

#endif
