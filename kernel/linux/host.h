/* The machine as the program sees it: its names (sethostname, uname). */
#ifndef AMPHI_LINUX_HOST_H
#define AMPHI_LINUX_HOST_H

#define HOST_NAME_LEN	65	/* utsname field size, terminator included */

/* Copies the host and domain names, each NUL-terminated in 65 bytes. */
void host_names(char nodename[HOST_NAME_LEN], char domainname[HOST_NAME_LEN]);
/* The run's --hostname: what uname reports until sethostname. */
void host_set_nodename(const char *name);

#endif
