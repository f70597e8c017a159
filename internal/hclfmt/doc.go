// Package hclfmt is hclwrite.Format of github.com/hashicorp/hcl/v2 v2.25.0,
// copied with the token layer it needs (MPL-2.0, see LICENSE): the one
// thing `socklab fmt` uses of hclwrite, whose import of go-cmp would link
// go-cmp's initialisers (regexps, rand seeding) into the host binary, which
// is every builtin plugin process, and delay each plugin's handshake. Its
// output is hclwrite.Format's byte for byte (TestFormatIsHCLWrites,
// FuzzFormat). When go.mod moves hcl/v2, TestFormatGoIsUpstreams fails:
// copy format.go again, and what it uses of tokens.go, parser.go,
// public.go and internal/unicodeutil.
package hclfmt
