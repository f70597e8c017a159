//go:build linux

package web

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// On Linux the server opens files with openat2(2) and RESOLVE_BENEATH: the
// kernel refuses any path, symlink or not, that would lead out of the root,
// and a request costs one open, one fstat and one close, with no *os.File.
// Bodies go out with sendfile(2).

// docRoot is the open document root.
type docRoot struct {
	dir *os.File
	fd  int
}

func openDocRoot(path string) (*docRoot, error) {
	dir, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &docRoot{dir: dir, fd: int(dir.Fd())}
	var f file
	if err := r.open([]byte("."), &f); err != nil {
		dir.Close()
		return nil, fmt.Errorf("open %s beneath itself (openat2 needs Linux 5.6): %w", path, err)
	}
	f.close()
	if !f.isDir() {
		dir.Close()
		return nil, fmt.Errorf("%s is not a directory", path)
	}
	return r, nil
}

func (r *docRoot) close() { r.dir.Close() }

// file is an open file under the root and what fstat said of it.
type file struct {
	fd int
	st unix.Stat_t
}

// open opens name, relative to the root. O_NONBLOCK keeps a FIFO from
// blocking the open; regular files ignore it.
func (r *docRoot) open(name []byte, f *file) error {
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(r.fd, string(name), &how)
	for err == unix.EINTR || err == unix.EAGAIN {
		fd, err = unix.Openat2(r.fd, string(name), &how)
	}
	if err == unix.EXDEV {
		err = errors.New("the path leads out of the document root")
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: string(name), Err: err}
	}
	f.fd = fd
	if err := unix.Fstat(fd, &f.st); err != nil {
		f.close()
		return &os.PathError{Op: "fstat", Path: string(name), Err: err}
	}
	return nil
}

func (f *file) close()          { unix.Close(f.fd) }
func (f *file) isDir() bool     { return f.st.Mode&unix.S_IFMT == unix.S_IFDIR }
func (f *file) isRegular() bool { return f.st.Mode&unix.S_IFMT == unix.S_IFREG }
func (f *file) size() int64     { return f.st.Size }
func (f *file) modTime() time.Time {
	return time.Unix(f.st.Mtim.Unix())
}

// readAt fills p from offset off, unless the file ends first.
func (f *file) readAt(p []byte, off int64) (int, error) {
	done := 0
	for done < len(p) {
		n, err := unix.Pread(f.fd, p[done:], off+int64(done))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return done, err
		case n == 0:
			return done, io.EOF
		}
		done += n
	}
	return done, nil
}

// send sends head, then the file's first size bytes with sendfile(2),
// within nc's write deadline. It returns the body bytes sent. MSG_MORE lets
// the head leave in one packet with the start of the body, so the client
// need not wake up for the head alone.
func (f *file) send(nc *net.TCPConn, head []byte, size int64) (int64, error) {
	rc, err := nc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var off int64
	var sendErr error
	err = rc.Write(func(s uintptr) bool {
		for len(head) > 0 {
			n, err := unix.SendmsgN(int(s), head, nil, nil, unix.MSG_MORE)
			switch err {
			case nil:
				head = head[n:]
			case unix.EAGAIN:
				return false // wait until the socket takes more
			case unix.EINTR:
			default:
				sendErr = err
				return true
			}
		}
		for off < size {
			n, err := unix.Sendfile(int(s), f.fd, &off, int(min(size-off, 1<<30)))
			switch {
			case err == unix.EAGAIN:
				return false
			case err == unix.EINTR:
			case err != nil:
				sendErr = err
				return true
			case n == 0:
				sendErr = io.ErrUnexpectedEOF // the file shrank
				return true
			}
		}
		return true
	})
	if err == nil {
		err = sendErr
	}
	return off, err
}
