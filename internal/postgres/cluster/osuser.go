package cluster

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// owner is the operating-system user initdb and postgres run as. PostgreSQL
// refuses to run as root, so as root realty runs it as the postgres system
// user (else nobody); otherwise as the current user.
type owner struct {
	name string
	uid  int
	gid  int
	root bool // realty itself runs as root and must switch
}

func serverOwner() (owner, error) {
	if os.Geteuid() != 0 {
		return owner{name: currentUserName(), uid: os.Geteuid(), gid: os.Getegid()}, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil {
			continue
		}
		return owner{name: name, uid: uid, gid: gid, root: true}, nil
	}
	return owner{}, fmt.Errorf("running as root: neither the postgres nor the nobody system user exists to run PostgreSQL as")
}

func currentUserName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Geteuid())
}

// procAttr returns the process attributes for a server-side child: its own
// process group, so a terminal's Ctrl-C reaches realty (which then stops it in
// order) and not postgres directly; killed with SIGQUIT should realty die; and,
// as root, the owner's credentials.
func (o owner) procAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	if o.root {
		attr.Credential = &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.gid), NoSetGroups: true}
	}
	return attr
}

// ownDir creates dir (mode perm) when missing and, as root, hands it to the
// owner.
func (o owner) ownDir(dir string, perm os.FileMode) error {
	if err := os.MkdirAll(dir, perm); err != nil {
		return err
	}
	if err := os.Chmod(dir, perm); err != nil {
		return err
	}
	if o.root {
		return os.Chown(dir, o.uid, o.gid)
	}
	return nil
}

// checkEnterable returns a clear error when the owner cannot reach dir: every
// parent must grant it search (x) permission. Only meaningful as root, where
// the server runs as another user.
func (o owner) checkEnterable(dir string) error {
	if !o.root {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		if err == nil && !o.canSearch(fi) { // a missing directory is created 0755 later
			return fmt.Errorf("the %s system user, which runs PostgreSQL when realty runs as root, cannot enter %s (mode %04o): "+
				"choose a data directory outside it (REALTY_DATA_DIR) or run realty as a non-root user", o.name, p, fi.Mode().Perm())
		}
		if p == "/" || p == "." {
			return nil
		}
	}
}

func (o owner) canSearch(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	mode := fi.Mode().Perm()
	switch {
	case !ok:
		return mode&0o001 != 0
	case int(st.Uid) == o.uid:
		return mode&0o100 != 0
	case int(st.Gid) == o.gid:
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}
