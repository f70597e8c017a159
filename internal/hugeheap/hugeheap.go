// Package hugeheap backs the start of the Go heap with one huge page. Every
// socklab process imports it for that side effect: the host, its builtin
// plugin, contain and sandbox-exec are all the one binary.
//
// A process's first allocations, the runtime's and the package
// initialisers', fall in the heap's first 2 MiB, and each 4 KiB page of it
// costs a page fault when first touched. Where a fault is dear (a VM whose
// page tables are shadowed: 11 µs a fault), those faults were a large part
// of the builtin plugin's start. MADV_COLLAPSE (Linux 6.1) replaces the
// pages present with one huge page, already zeroed where nothing was
// written, so that what the start-up allocates next is mapped already. It
// changes no memory's contents; where the kernel cannot do it (an older
// kernel, huge pages turned off), nothing changes.
package hugeheap
