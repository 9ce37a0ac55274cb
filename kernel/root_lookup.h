/* SPDX-License-Identifier: GPL-2.0 */
/* Looking up a root the writer can give up waiting for (root_lookup.c). */
#ifndef KTFTPD_ROOT_LOOKUP_H
#define KTFTPD_ROOT_LOOKUP_H

struct ktftpd_server;
struct path;

/*
 * Look up @name, which must name a directory, as the caller would, for
 * @srv, under its lock: 0 and *@path held, or an error with *@why saying
 * what: -EINTR if the caller was killed, -ESHUTDOWN if @srv shut down
 * meanwhile (the lookup goes on without them), -EBUSY if an abandoned
 * lookup of @srv still waits on its file system, -EUSERS if the caller's
 * user has too many going on, -EAGAIN while the module loads (but for
 * insmod itself).
 */
int ktftpd_root_lookup(struct ktftpd_server *srv, const char *name,
		       struct path *path, const char **why);
/* ktftpd_init() begins (true) and ends: its lookups are its own. */
void ktftpd_root_lookup_loading(bool loading);

#endif /* KTFTPD_ROOT_LOOKUP_H */
