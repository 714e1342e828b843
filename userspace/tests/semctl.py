#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Tiny System V semaphore tool for the semwatch tests (ctypes, no build).

  semctl.py mk KEY [NSEMS [VAL]]   create (IPC_EXCL) a set, print its semid
  semctl.py rm SEMID               IPC_RMID
  semctl.py exists SEMID KEY       exit 0 if SEMID is alive with KEY
  semctl.py wait KEY               create KEY with value 1, sleep until it is 0
  semctl.py nextid SEMID           the next semget() in this namespace gets SEMID
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT, IPC_EXCL, IPC_RMID, IPC_STAT, SETVAL = 0o1000, 0o2000, 0, 2, 16


class Sembuf(ctypes.Structure):
    _fields_ = [("num", ctypes.c_ushort), ("op", ctypes.c_short), ("flg", ctypes.c_short)]


def check(ret, what):
    if ret < 0:
        sys.exit("%s: %s" % (what, os.strerror(ctypes.get_errno())))
    return ret


def mk(key, nsems=1, val=None):
    semid = check(libc.semget(key, nsems, IPC_CREAT | IPC_EXCL | 0o600), "semget")
    if val is not None:
        check(libc.semctl(semid, 0, SETVAL, ctypes.c_int(val)), "semctl SETVAL")
    return semid


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "mk":
        nums = [int(a, 0) for a in args]
        print(mk(*nums))
    elif cmd == "rm":
        check(libc.semctl(int(args[0]), 0, IPC_RMID), "semctl IPC_RMID")
    elif cmd == "exists":
        buf = ctypes.create_string_buffer(256)  # struct semid64_ds, key first
        if libc.semctl(int(args[0]), 0, IPC_STAT, buf) < 0:
            return 1
        return 0 if ctypes.c_int.from_buffer(buf).value & 0xffffffff == int(args[1], 0) else 1
    elif cmd == "wait":
        semid = mk(int(args[0], 0), 1, 1)
        print(semid, flush=True)
        op = Sembuf(0, 0, 0)
        libc.semop(semid, ctypes.byref(op), 1)  # returns on 0 or on removal
    elif cmd == "nextid":
        with open("/proc/sys/kernel/sem_next_id", "w") as f:
            f.write(args[0])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
