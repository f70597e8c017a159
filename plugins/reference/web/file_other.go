//go:build !linux

package web

import (
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"
)

// Elsewhere than Linux the server opens files through os.Root, which
// refuses paths and symlinks that lead out of the root.

// docRoot is the open document root.
type docRoot struct{ root *os.Root }

func openDocRoot(path string) (*docRoot, error) {
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return nil, &os.PathError{Op: "open", Path: path, Err: syscall.ENOTDIR}
	}
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	return &docRoot{root: root}, nil
}

func (r *docRoot) close() { r.root.Close() }

// file is an open file under the root and what Stat said of it.
type file struct {
	f  *os.File
	fi fs.FileInfo
}

// open opens name, relative to the root. O_NONBLOCK keeps a FIFO from
// blocking the open; regular files ignore it.
func (r *docRoot) open(name []byte, f *file) error {
	of, err := r.root.OpenFile(string(name), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	fi, err := of.Stat()
	if err != nil {
		of.Close()
		return err
	}
	f.f, f.fi = of, fi
	return nil
}

func (f *file) close()             { f.f.Close() }
func (f *file) isDir() bool        { return f.fi.IsDir() }
func (f *file) isRegular() bool    { return f.fi.Mode().IsRegular() }
func (f *file) size() int64        { return f.fi.Size() }
func (f *file) modTime() time.Time { return f.fi.ModTime() }

func (f *file) readAt(p []byte, off int64) (int, error) { return f.f.ReadAt(p, off) }

// send sends head, then the file's first size bytes. TCPConn.ReadFrom sees
// the *os.File under the LimitedReader and uses sendfile where it can.
func (f *file) send(nc *net.TCPConn, head []byte, size int64) (int64, error) {
	if _, err := nc.Write(head); err != nil {
		return 0, err
	}
	return nc.ReadFrom(&io.LimitedReader{R: f.f, N: size})
}
