/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which container or unit a cgroup v2 path names, read from the path's shape
 * alone: no runtime is asked, so it works after the container is gone.
 */
#ifndef SW_CONTAINER_H
#define SW_CONTAINER_H

#include <stddef.h>

enum sw_runtime {
	SW_RT_NONE,		/* no container: a plain unit, or nothing known */
	SW_RT_DOCKER,		/* docker-<id>.scope, /docker/<id> */
	SW_RT_CONTAINERD,	/* cri-containerd-<id>.scope, kubepods .../<id> */
	SW_RT_CRIO,		/* crio-<id>.scope */
	SW_RT_PODMAN,		/* libpod-<id>.scope, /libpod_parent/libpod-<id> */
	SW_RT_KUBERNETES,	/* a kubepods path whose runtime prefix is unknown */
};

struct sw_container {
	enum sw_runtime runtime;
	char id[13];		/* short id: the first 12 hex digits; "" if none */
	char pod[37];		/* Kubernetes pod UID, with dashes; "" if none */
	char unit[256];		/* innermost systemd unit (x.service, x.scope); "" */
};

/*
 * Only a container's own cgroup counts: bare 64-hex ids after "docker" or
 * after a kubepods pod, <prefix>-<64 hex> (with or without ".scope") for the
 * prefixes above. The innermost container wins. A malformed id (not exactly
 * 64 lowercase hex) is no container. crio-conmon-<id>.scope and
 * libpod-conmon-<id>.scope hold the runtime's monitor, not the container: they
 * are plain units. pod is set only with a container whose cgroup is directly
 * inside the pod's: a UUID ('_' of the systemd driver made '-'), or 32 hex
 * digits for a static pod.
 *
 * unit is set only when there is no container: the innermost component ending
 * in .service, .scope, .socket, .mount or .swap (the unit types that run
 * processes; a .slice only groups units), "" if that name does not fit. It may
 * hold any byte a cgroup name can: the output layer escapes it, not this code.
 */

/* Fills @c from @path; an unknown shape leaves runtime SW_RT_NONE. Never fails. */
void sw_container_parse(const char *path, struct sw_container *c);
/* "docker", "containerd", "cri-o", "podman", "kubernetes", or NULL for none. */
const char *sw_runtime_name(enum sw_runtime rt);
/*
 * One short label for people: "<runtime>:<id>" ("docker:0123456789ab"), in a
 * pod "pod <uid> <runtime>:<id>" ("pod 6b4e...4d5e containerd:0123456789ab"),
 * the unit ("docker.service"), or "" for none. Returns snprintf()'s value.
 */
int sw_container_label(const struct sw_container *c, char *buf, size_t len);

#endif
