// Copyright IBM Corp. 2014, 2025
// SPDX-License-Identifier: MPL-2.0

// From hclwrite/public.go of github.com/hashicorp/hcl/v2 v2.25.0, Format alone: hclwrite imports go-cmp, whose init runs in every plugin process.

package hclfmt

import (
	"bytes"
)

// Format takes source code and performs simple whitespace changes to transform
// it to a canonical layout style.
//
// Format skips constructing an AST and works directly with tokens, so it
// is less expensive than formatting via the AST for situations where no other
// changes will be made. It also ignores syntax errors and can thus be applied
// to partial source code, although the result in that case may not be
// desirable.
func Format(src []byte) []byte {
	tokens := lexConfig(src)
	format(tokens)
	buf := &bytes.Buffer{}
	//nolint:errcheck // FIXME: Propogate errors upward.
	tokens.WriteTo(buf)
	return buf.Bytes()
}
