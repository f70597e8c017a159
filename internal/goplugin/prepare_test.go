package goplugin

import (
	"slices"
	"testing"
)

func TestRolesRoundTrip(t *testing.T) {
	for _, roles := range [][]string{nil, {"a_server"}, {"a_server", "a_client", "b_client"}} {
		if got := Roles(RolesValue(roles)); !slices.Equal(got, roles) {
			t.Errorf("Roles(RolesValue(%q)) = %q", roles, got)
		}
	}
}
