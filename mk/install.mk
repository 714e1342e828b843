# Installing semwatch on a host the way admins do: DKMS, `make install`, and
# Debian packages. Included by the top-level Makefile; also usable on its own
# (`make -f mk/install.mk TARGET`, as debian/rules does), so every variable
# has a default here.
#
#   make dkms-install      sources to /usr/src/semwatch-VERSION + dkms add
#   make dkms-uninstall    dkms remove --all + remove those sources
#   make install           module for KVER (+depmod), CLI, man pages, units,
#                          /etc/default/semwatch, a modules-load.d example,
#                          the Prometheus alerting rules (examples/);
#                          DESTDIR-aware (no depmod when DESTDIR is set)
#   make uninstall         remove what `make install` installed
#   make deb               semwatch and semwatch-dkms .debs into build/deb/
#   make check-dkms        scripts/dkms-test.sh: all of the above, tested (root, ~8 min)

SHELL := /bin/bash
SW_VERSION := $(shell cat VERSION)
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/semwatch
# Debian 12 keeps units and modules in /lib (pkg-config's systemdsystemunitdir).
UNITDIR ?= /lib/systemd/system
MODDIR ?= /lib/modules
SYSCONFDIR ?= /etc
DKMS_SRC ?= /usr/src/semwatch-$(SW_VERSION)
INSTALL ?= install

# The module's sources, and only those: what DKMS and semwatch-dkms ship.
DKMS_FILES := Kbuild VERSION $(sort $(wildcard kmod/*.c kmod/*.h kmod/compat/*.h))
UNITS := $(addprefix systemd/,semwatch-textfile.service semwatch-textfile.timer \
	semwatch-reap.service semwatch-reap.timer)
MANPAGES := man/semwatch.4 man/semwatch.8

.PHONY: dkms-install dkms-uninstall dkms-src install install-module install-cli \
	uninstall deb check-dkms

# dkms.conf with the version written in: the installed copy does not depend on
# how (or from where) DKMS or dh_dkms read it.
build/dkms/dkms.conf: dkms.conf VERSION
	@mkdir -p $(@D)
	sed 's|^PACKAGE_VERSION=.*|PACKAGE_VERSION="$(SW_VERSION)"|' $< > $@

# DKMS source tree under $(DESTDIR)$(DKMS_SRC) (used by dkms-install and the deb).
dkms-src: build/dkms/dkms.conf
	@set -e; for f in $(DKMS_FILES); do \
		$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(DKMS_SRC)/$$f; done
	$(INSTALL) -m 0644 build/dkms/dkms.conf $(DESTDIR)$(DKMS_SRC)/dkms.conf

dkms-install:
	@if dkms status -m semwatch -v $(SW_VERSION) | grep -q .; then \
		echo "semwatch/$(SW_VERSION) is already in DKMS (make dkms-uninstall first)" >&2; exit 1; fi
	rm -rf $(DKMS_SRC)
	$(MAKE) -f mk/install.mk dkms-src DESTDIR=
	dkms add -m semwatch -v $(SW_VERSION)
	@echo "Now: dkms install -m semwatch -v $(SW_VERSION) [-k KVER] (AUTOINSTALL=yes builds it for new kernels)"

dkms-uninstall:
	-@if dkms status -m semwatch -v $(SW_VERSION) | grep -q .; then \
		echo "dkms remove -m semwatch -v $(SW_VERSION) --all"; \
		dkms remove -m semwatch -v $(SW_VERSION) --all; fi
	rm -rf $(DKMS_SRC) /var/lib/dkms/semwatch/$(SW_VERSION)
	@rmdir /var/lib/dkms/semwatch 2>/dev/null || true

# --- make install / uninstall: module for one kernel, plus the CLI side
# KVER comes from the top-level Makefile (running kernel, or KVER=/KDIR=).
install: install-module install-cli

install-module:
	@[ -n "$(KVER)" ] || { echo "make install: set KVER=<kernel release>" >&2; exit 1; }
	@[ -r build/$(KVER)/semwatch.ko ] || scripts/build-module.sh $(KVER)
	$(INSTALL) -D -m 0644 build/$(KVER)/semwatch.ko $(DESTDIR)$(MODDIR)/$(KVER)/updates/semwatch.ko
	$(if $(DESTDIR),@echo "DESTDIR set: not running depmod",depmod -a $(KVER))

install-cli:
	$(MAKE) -C userspace semwatch
	$(INSTALL) -D -m 0755 userspace/semwatch $(DESTDIR)$(SBINDIR)/semwatch
	$(INSTALL) -D -m 0644 man/semwatch.8 $(DESTDIR)$(MANDIR)/man8/semwatch.8
	$(INSTALL) -D -m 0644 man/semwatch.4 $(DESTDIR)$(MANDIR)/man4/semwatch.4
	$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	@# The units run the command where this PREFIX put it.
	@set -e; for u in $(UNITS); do \
		sed 's|/usr/sbin/semwatch|$(SBINDIR)/semwatch|' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/}; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	@# A configuration file: keep the admin's copy.
	@[ -e $(DESTDIR)$(SYSCONFDIR)/default/semwatch ] || \
		$(INSTALL) -D -m 0644 systemd/semwatch.default $(DESTDIR)$(SYSCONFDIR)/default/semwatch
	$(INSTALL) -D -m 0644 systemd/semwatch.modules-load.conf \
		$(DESTDIR)$(DOCDIR)/examples/semwatch.conf
	$(INSTALL) -D -m 0644 monitoring/semwatch.rules.yml \
		$(DESTDIR)$(DOCDIR)/examples/semwatch.rules.yml
	$(if $(DESTDIR),,-systemctl daemon-reload 2>/dev/null)

uninstall:
	$(if $(DESTDIR),,-systemctl disable --now semwatch-textfile.timer semwatch-reap.timer 2>/dev/null)
	rm -f $(if $(KVER),$(DESTDIR)$(MODDIR)/$(KVER)/updates/semwatch.ko) \
		$(DESTDIR)$(SBINDIR)/semwatch \
		$(DESTDIR)$(MANDIR)/man8/semwatch.8 $(DESTDIR)$(MANDIR)/man4/semwatch.4 \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS))) \
		$(DESTDIR)$(DOCDIR)/examples/semwatch.conf \
		$(DESTDIR)$(DOCDIR)/examples/semwatch.rules.yml
	@# The configuration file goes only as installed: an admin's edits stay.
	@f=$(DESTDIR)$(SYSCONFDIR)/default/semwatch; \
	if cmp -s systemd/semwatch.default $$f; then rm -f $$f; \
	elif [ -e $$f ]; then echo "kept $$f (edited)"; fi
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null
	-rmdir $(if $(KVER),$(DESTDIR)$(MODDIR)/$(KVER)/updates) 2>/dev/null
	$(if $(DESTDIR),,$(if $(KVER),depmod -a $(KVER)))
	$(if $(DESTDIR),,-systemctl daemon-reload 2>/dev/null)

# --- Debian packages: dpkg-buildpackage in a copy of the sources (it writes
# next to the source directory), .debs collected in build/deb/.
DEB_STAGE := build/deb/src/semwatch-$(SW_VERSION)
DEB_FILES := $(DKMS_FILES) dkms.conf Makefile mk/install.mk README.md $(MANPAGES) \
	$(UNITS) systemd/semwatch.default systemd/semwatch.modules-load.conf \
	monitoring/semwatch.rules.yml \
	$(wildcard userspace/Makefile userspace/*.c userspace/*.h userspace/tests/*.c userspace/tests/*.h) \
	$(shell find debian -type f -not -path 'debian/.debhelper/*' 2>/dev/null)

deb:
	rm -rf build/deb
	mkdir -p $(DEB_STAGE)
	cp --parents -p $(DEB_FILES) $(DEB_STAGE)/
	cd $(DEB_STAGE) && dpkg-buildpackage -b -us -uc
	mv build/deb/src/*.deb build/deb/src/*.buildinfo build/deb/src/*.changes build/deb/
	rm -rf build/deb/src
	@ls -l build/deb/*.deb

check-dkms:
	@scripts/dkms-test.sh
