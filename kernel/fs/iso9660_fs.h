/* ISO 9660 with Rock Ridge, read-only (fs/iso9660.c). */
#ifndef AMPHI_FS_ISO9660_FS_H
#define AMPHI_FS_ISO9660_FS_H

#include "fs/super.h"

extern const struct fs_type iso9660_fs_type;

#endif
