package named

import (
	"slices"
	"testing"
)

type item struct{ name, v string }

func nameOf(i item) string { return i.name }

func TestWithReplacesAndSorts(t *testing.T) {
	tests := []struct {
		name       string
		items, add []item
		want       []item
	}{
		{"add", []item{{"b", "1"}}, []item{{"a", "2"}}, []item{{"a", "2"}, {"b", "1"}}},
		{"replace", []item{{"a", "1"}, {"b", "1"}}, []item{{"a", "2"}}, []item{{"a", "2"}, {"b", "1"}}},
		{"nothing", nil, nil, []item{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := With(tt.items, nameOf, tt.add...)
			if !slices.Equal(got, tt.want) {
				t.Errorf("With = %v, want %v", got, tt.want)
			}
		})
	}
	orig := []item{{"a", "1"}}
	With(orig, nameOf, item{"a", "2"})
	if orig[0].v != "1" {
		t.Error("With changed its argument")
	}
}

func TestLookupAndNames(t *testing.T) {
	items := []item{{"a", "1"}, {"b", "2"}}
	if it, ok := Lookup(items, nameOf, "b"); !ok || it.v != "2" {
		t.Errorf("Lookup(b) = %v, %v", it, ok)
	}
	if _, ok := Lookup(items, nameOf, "c"); ok {
		t.Error("Lookup found c")
	}
	if got := Names(items, nameOf); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Names = %v", got)
	}
}
