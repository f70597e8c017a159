// Package named keeps values by a name: the role registries (proto/roles,
// host/labs, the graders), whose entries are looked up, replaced and
// listed by their role's name, share these few functions.
package named

import (
	"slices"
	"strings"
)

// With returns items and more, sorted by name; an item of more replaces
// one of items with the same name.
func With[T any](items []T, name func(T) string, more ...T) []T {
	out := slices.DeleteFunc(slices.Clone(items), func(it T) bool {
		return slices.ContainsFunc(more, func(m T) bool { return name(m) == name(it) })
	})
	out = append(out, more...)
	slices.SortStableFunc(out, func(a, b T) int { return strings.Compare(name(a), name(b)) })
	return out
}

// Lookup finds the item called n.
func Lookup[T any](items []T, name func(T) string, n string) (T, bool) {
	for _, it := range items {
		if name(it) == n {
			return it, true
		}
	}
	var zero T
	return zero, false
}

// Names lists the items' names, in their order.
func Names[T any](items []T, name func(T) string) []string {
	ns := make([]string, 0, len(items))
	for _, it := range items {
		ns = append(ns, name(it))
	}
	return ns
}
