/* The app's end of the network-server link: a net_port on the first
 * ivshmem device, when that device holds a link region. */
#ifndef AMPHI_DEV_LINK_APP_H
#define AMPHI_DEV_LINK_APP_H

#include <stdbool.h>

/* Registers the port; -ENODEV when there is no link.  With chaos set (a
 * test mode), the app instead writes garbage all over its region and rings
 * the server, as a hostile app would. */
int link_app_init(bool chaos);

#endif
