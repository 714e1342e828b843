// SPDX-License-Identifier: GPL-2.0
/* Unit tests: container, pod and unit identity from cgroup v2 paths. */
#include <stdio.h>
#include <string.h>

#include "container.h"
#include "tap.h"

#define ID "0123456789abc80287295f664e513dd6d4a461b9d390700780e09c8347c8ff84"
#define SID "0123456789ab"
#define ID63 "0123456789abc80287295f664e513dd6d4a461b9d390700780e09c8347c8ff8"
#define IDUC "0123456789ABC80287295f664e513dd6d4a461b9d390700780e09c8347c8ff84"
#define ID2 "f26d6a4cb6d6f40af206e9d8a0d8b6ca2be38659dfff9dda32195d7072cafdca"
#define SID2 "f26d6a4cb6d6"
#define UID "16dcdcd2-7818-4deb-88ba-9daf5e313950"
#define UID_ "16dcdcd2_7818_4deb_88ba_9daf5e313950"	/* systemd driver */
#define SUID "b29cf2430629fdfd21f6d29e1d52150d"		/* static pod */
#define USER "/user.slice/user-1000.slice/user@1000.service"
#define KUBE_SD "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"

static const struct {
	const char *what, *path;
	enum sw_runtime rt;
	const char *id, *pod, *unit, *label;
} cases[] = {
	{ "docker, systemd driver", "/system.slice/docker-" ID ".scope",
	  SW_RT_DOCKER, SID, "", "", "docker:" SID },
	{ "docker, cgroupfs driver", "/docker/" ID,
	  SW_RT_DOCKER, SID, "", "", "docker:" SID },
	{ "docker, cgroupfs, a cgroup inside", "/docker/" ID "/init.scope",
	  SW_RT_DOCKER, SID, "", "", "docker:" SID },
	{ "docker, rootless", USER "/app.slice/docker-" ID ".scope",
	  SW_RT_DOCKER, SID, "", "", "docker:" SID },
	{ "docker in docker: the innermost", "/docker/" ID "/docker/" ID2,
	  SW_RT_DOCKER, SID2, "", "", "docker:" SID2 },
	{ "containerd, burstable pod", KUBE_SD UID_ ".slice/cri-containerd-" ID ".scope",
	  SW_RT_CONTAINERD, SID, UID, "", "pod " UID " containerd:" SID },
	{ "containerd, besteffort pod",
	  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	  ".slice/cri-containerd-" ID ".scope",
	  SW_RT_CONTAINERD, SID, UID, "", "pod " UID " containerd:" SID },
	{ "containerd, guaranteed pod",
	  "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  SW_RT_CONTAINERD, SID, UID, "", "pod " UID " containerd:" SID },
	{ "containerd, static pod", KUBE_SD SUID ".slice/cri-containerd-" ID ".scope",
	  SW_RT_CONTAINERD, SID, SUID, "", "pod " SUID " containerd:" SID },
	{ "kubernetes, cgroupfs, burstable", "/kubepods/burstable/pod" UID "/" ID,
	  SW_RT_KUBERNETES, SID, UID, "", "pod " UID " kubernetes:" SID },
	{ "kubernetes, cgroupfs, guaranteed", "/kubepods/pod" UID "/" ID2,
	  SW_RT_KUBERNETES, SID2, UID, "", "pod " UID " kubernetes:" SID2 },
	{ "cri-o", KUBE_SD UID_ ".slice/crio-" ID ".scope",
	  SW_RT_CRIO, SID, UID, "", "pod " UID " cri-o:" SID },
	{ "cri-o's conmon is a unit, not the container",
	  KUBE_SD UID_ ".slice/crio-conmon-" ID ".scope", SW_RT_NONE, "", "",
	  "crio-conmon-" ID ".scope", "crio-conmon-" ID ".scope" },
	{ "podman, root", "/machine.slice/libpod-" ID ".scope",
	  SW_RT_PODMAN, SID, "", "", "podman:" SID },
	{ "podman, rootless", USER "/user.slice/libpod-" ID ".scope",
	  SW_RT_PODMAN, SID, "", "", "podman:" SID },
	{ "podman, cgroupfs", "/libpod_parent/libpod-" ID,
	  SW_RT_PODMAN, SID, "", "", "podman:" SID },
	{ "podman's conmon is a unit", "/machine.slice/libpod-conmon-" ID ".scope",
	  SW_RT_NONE, "", "", "libpod-conmon-" ID ".scope", "libpod-conmon-" ID ".scope" },
	{ "a service", "/system.slice/docker.service",
	  SW_RT_NONE, "", "", "docker.service", "docker.service" },
	{ "another service", "/system.slice/lvm2-monitor.service",
	  SW_RT_NONE, "", "", "lvm2-monitor.service", "lvm2-monitor.service" },
	{ "a session scope", "/user.slice/user-1000.slice/session-3.scope",
	  SW_RT_NONE, "", "", "session-3.scope", "session-3.scope" },
	{ "a cgroup inside a service", "/system.slice/foo.service/bar",
	  SW_RT_NONE, "", "", "foo.service", "foo.service" },
	{ "the innermost unit", USER "/app.slice/dbus.socket",
	  SW_RT_NONE, "", "", "dbus.socket", "dbus.socket" },
	{ "a slice is no unit", "/system.slice", SW_RT_NONE, "", "", "", "" },
	{ "the root", "/", SW_RT_NONE, "", "", "", "" },
	{ "empty", "", SW_RT_NONE, "", "", "", "" },
	{ "the module's unknown", "?", SW_RT_NONE, "", "", "", "" },
	{ "the module's none", "-", SW_RT_NONE, "", "", "", "" },
	{ "a bare id elsewhere", "/system.slice/" ID, SW_RT_NONE, "", "", "", "" },
	{ "63 hex digits: a unit, no container", "/system.slice/docker-" ID63 ".scope",
	  SW_RT_NONE, "", "", "docker-" ID63 ".scope", "docker-" ID63 ".scope" },
	{ "65 hex digits", "/docker/" ID "0", SW_RT_NONE, "", "", "", "" },
	{ "uppercase hex", "/docker/" IDUC, SW_RT_NONE, "", "", "", "" },
	{ "a malformed pod uid: no pod, and no bare id",
	  "/kubepods/burstable/pod16dcdcd2-7818-4deb-88ba-9daf5e31395g/" ID,
	  SW_RT_NONE, "", "", "", "" },
	{ "a pod uid with misplaced dashes",
	  "/kubepods/pod16dcdcd27-818-4deb-88ba-9daf5e313950/" ID,
	  SW_RT_NONE, "", "", "", "" },
	{ "a pod outside kubepods", "/pod" UID "/" ID, SW_RT_NONE, "", "", "", "" },
};

static void test_long_unit(void)
{
	struct sw_container c;
	char path[400];

	/* 255 bytes, a cgroup name's most, fit; 300 do not and are dropped. */
	snprintf(path, sizeof(path), "/system.slice/%0247d.service", 0);
	sw_container_parse(path, &c);
	ok(strlen(c.unit) == 255 && !strcmp(c.unit, path + 14),
	   "unit: a 255-byte name is kept whole");
	snprintf(path, sizeof(path), "/system.slice/a.service/%0292d.service", 0);
	sw_container_parse(path, &c);
	ok(c.runtime == SW_RT_NONE && !strcmp(c.unit, ""),
	   "unit: a 300-byte name is dropped, not truncated nor the outer unit");
}

static void test_label(void)
{
	struct sw_container c;
	char b[8];

	sw_container_parse(NULL, &c);
	ok(c.runtime == SW_RT_NONE && !c.id[0] && !c.pod[0] && !c.unit[0] &&
	   sw_container_label(&c, b, sizeof(b)) == 0 && !b[0], "NULL path: nothing");
	sw_container_parse("/docker/" ID, &c);
	ok(sw_container_label(&c, b, sizeof(b)) == 19 && !strcmp(b, "docker:"),
	   "label: truncated like snprintf(), which it returns");
	ok(sw_container_label(&c, NULL, 0) == 19, "label: a length query");
	ok(!sw_runtime_name(SW_RT_NONE) && !strcmp(sw_runtime_name(SW_RT_CRIO), "cri-o") &&
	   !strcmp(sw_runtime_name(SW_RT_KUBERNETES), "kubernetes"), "runtime names");
}

void test_container(void)
{
	struct sw_container c;
	char label[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sw_container_parse(cases[i].path, &c);
		sw_container_label(&c, label, sizeof(label));
		ok(c.runtime == cases[i].rt && !strcmp(c.id, cases[i].id) &&
		   !strcmp(c.pod, cases[i].pod) && !strcmp(c.unit, cases[i].unit) &&
		   !strcmp(label, cases[i].label), "container: %s: \"%s\"",
		   cases[i].what, label);
	}
	test_long_unit();
	test_label();
}
