package hugeheap

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 or arm64 PMD-mapped huge page.
const hugePage = 2 << 20

// madvCollapse is MADV_COLLAPSE, which package syscall does not name:
// golang.org/x/sys/unix does, but importing it would put this initialiser
// after many others, whose allocations it is meant to be ahead of.
const madvCollapse = 25

// first is an early allocation: the heap region to collapse is the one
// holding it. Set once, at initialisation, like collapsed.
var first = new([64]byte)

// collapsed is what the kernel answered, for the test.
var collapsed error

func init() {
	collapsed = collapse(uintptr(unsafe.Pointer(first)))
}

// collapse asks the kernel to back the huge page's worth of memory holding
// addr with one huge page. The address is passed as a number: nothing here
// reads or writes the memory.
func collapse(addr uintptr) error {
	start := addr &^ (hugePage - 1)
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, start, hugePage, madvCollapse); errno != 0 {
		return errno
	}
	return nil
}
