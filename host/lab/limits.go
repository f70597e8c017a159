package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Limits bound what reading an HCL file may cost, so that a huge or
// hostile file (a student's submission.hcl, a generated lab) gets a
// diagnostic instead of exhausting the stack, the memory or the clock.
type Limits struct {
	// MaxBytes is the largest file read.
	MaxBytes int
	// MaxDepth bounds how deeply brackets, templates and operators nest.
	// The parser recurses once per level, so the bound is checked by a
	// scan of the tokens before it runs.
	MaxDepth int
	// MaxValueBytes bounds any value a function, a local or a variable
	// makes (strings by their length, collections by their elements).
	MaxValueBytes int
	// Timeout bounds the parse (0: only the caller's context does).
	Timeout time.Duration
	// LiteralsOnly refuses function calls, references and for
	// expressions: the file is data.
	LiteralsOnly bool
}

// DefaultLimits are the limits of lab and suite files: generous for
// anything written by hand or generated for a large class.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 16 << 20, MaxDepth: 100, MaxValueBytes: 1 << 20}
}

// SubmissionLimits are the limits of a student's submission.hcl: a few
// literals naming the program to run.
func SubmissionLimits() Limits {
	return Limits{MaxBytes: 64 << 10, MaxDepth: 32, MaxValueBytes: 64 << 10, Timeout: time.Second, LiteralsOnly: true}
}

// orDefaults fills the zero fields of lim from DefaultLimits.
func (lim Limits) orDefaults() Limits {
	def := DefaultLimits()
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = def.MaxBytes
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = def.MaxDepth
	}
	if lim.MaxValueBytes <= 0 {
		lim.MaxValueBytes = def.MaxValueBytes
	}
	return lim
}

// ReadHCL reads the file at path, refusing one larger than lim.MaxBytes
// before reading it whole, and parses it with ParseHCL.
func ReadHCL(ctx context.Context, path string, lim Limits) (*hcl.File, hcl.Diagnostics) {
	lim = lim.orDefaults()
	src, err := readLimited(path, lim.MaxBytes)
	if err != nil {
		var tooBig *tooBigError
		if errors.As(err, &tooBig) {
			return emptyFile(nil), hcl.Diagnostics{tooLarge(path, tooBig.size, lim.MaxBytes)}
		}
		return emptyFile(nil), hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read file", Detail: err.Error() + ".", Subject: fileStart(path)}}
	}
	return ParseHCL(ctx, path, src, lim)
}

type tooBigError struct{ size int64 }

func (e *tooBigError) Error() string { return fmt.Sprintf("file of %d bytes or more", e.size) }

func readLimited(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > int64(limit) {
		return nil, &tooBigError{fi.Size()}
	}
	// A pipe or a file still growing has no trustworthy size: read one
	// byte past the limit to know.
	src, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(src) > limit {
		return nil, &tooBigError{int64(len(src))}
	}
	return src, nil
}

// ParseHCL parses src, named name in diagnostics, within lim: it refuses a
// file over lim.MaxBytes, one nesting deeper than lim.MaxDepth (found by a
// linear scan of its tokens, before the recursive parser could overflow
// the stack) and, with lim.LiteralsOnly, any function call, reference or
// for expression. It stops waiting when ctx is done or lim.Timeout has
// passed. The file returned is never nil: with errors, it holds the
// source, for printing diagnostics, and an empty body.
func ParseHCL(ctx context.Context, name string, src []byte, lim Limits) (*hcl.File, hcl.Diagnostics) {
	lim = lim.orDefaults()
	if len(src) > lim.MaxBytes {
		return emptyFile(nil), hcl.Diagnostics{tooLarge(name, int64(len(src)), lim.MaxBytes)}
	}
	if lim.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Timeout)
		defer cancel()
	}
	type parsed struct {
		file  *hcl.File
		diags hcl.Diagnostics
	}
	// The parser cannot be interrupted; for a file within the size limit
	// it ends on its own soon after, and its result is dropped.
	done := make(chan parsed, 1)
	go func() {
		if d := checkNesting(src, name, lim.MaxDepth); d != nil {
			done <- parsed{emptyFile(src), hcl.Diagnostics{d}}
			return
		}
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if lim.LiteralsOnly && !diags.HasErrors() {
			diags = append(diags, checkLiterals(f)...)
		}
		if diags.HasErrors() && f != nil {
			f.Body = hcl.EmptyBody()
		}
		if f == nil {
			f = emptyFile(src)
		}
		done <- parsed{f, diags}
	}()
	select {
	case p := <-done:
		return p.file, p.diags
	case <-ctx.Done():
		return emptyFile(src), hcl.Diagnostics{stopped(ctx, name, lim.Timeout)}
	}
}

func emptyFile(src []byte) *hcl.File { return &hcl.File{Body: hcl.EmptyBody(), Bytes: src} }

func fileStart(name string) *hcl.Range {
	return &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}
}

func tooLarge(name string, size int64, limit int) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "File too large",
		Detail:  fmt.Sprintf("%s has %d bytes; the limit is %d (%s).", name, size, limit, byteSize(int64(limit))),
		Subject: fileStart(name)}
}

// stopped is the diagnostic of a read that ctx ended: interrupted, or out
// of time.
func stopped(ctx context.Context, name string, timeout time.Duration) *hcl.Diagnostic {
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) && timeout > 0 {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "File takes too long to read",
			Detail: fmt.Sprintf("Reading %s took more than %v.", name, timeout), Subject: fileStart(name)}
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Interrupted",
		Detail: fmt.Sprintf("Reading %s was interrupted (%v).", name, context.Cause(ctx)), Subject: fileStart(name)}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// isOperator is whether the parser builds one more level of expression
// tree after t: unary and binary operators, and the conditional.
func isOperator(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenPlus, hclsyntax.TokenMinus, hclsyntax.TokenStar, hclsyntax.TokenSlash,
		hclsyntax.TokenPercent, hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenBang,
		hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual, hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq,
		hclsyntax.TokenGreaterThan, hclsyntax.TokenGreaterThanEq, hclsyntax.TokenQuestion:
		return true
	}
	return false
}

// checkNesting scans src's tokens for nesting deeper than limit, counting
// what makes the parser or the evaluator recurse: brackets, braces,
// parentheses, template interpolations and directives, and operators (a
// chain `1+1+1...` or `!!!x` is a tree as deep as it is long). The count
// is an upper bound; a real lab stays far below it.
func checkNesting(src []byte, name string, limit int) *hcl.Diagnostic {
	tokens, _ := hclsyntax.LexConfig(src, name, hcl.InitialPos)
	type level struct {
		open hclsyntax.TokenType
		ops  int
	}
	stack := []level{{}} // the file's body
	depth := 0           // levels above the body, plus their operators
	directives := 0      // open %{if} and %{for}
	afterControl := false
	for i, t := range tokens {
		top := &stack[len(stack)-1]
		switch {
		case t.Type == hclsyntax.TokenOBrace || t.Type == hclsyntax.TokenOBrack || t.Type == hclsyntax.TokenOParen ||
			t.Type == hclsyntax.TokenTemplateInterp || t.Type == hclsyntax.TokenTemplateControl:
			// An index (`x[i]`) nests its collection one deeper too.
			if t.Type == hclsyntax.TokenOBrack && i > 0 && closesTerm(tokens[i-1].Type) {
				top.ops++
				depth++
			}
			stack = append(stack, level{open: t.Type})
			depth++
		case t.Type == hclsyntax.TokenCBrace || t.Type == hclsyntax.TokenCBrack || t.Type == hclsyntax.TokenCParen ||
			t.Type == hclsyntax.TokenTemplateSeqEnd:
			if len(stack) > 1 {
				depth -= 1 + top.ops
				stack = stack[:len(stack)-1]
			}
		case isOperator(t.Type):
			top.ops++
			depth++
		case t.Type == hclsyntax.TokenComma ||
			t.Type == hclsyntax.TokenNewline && (top.open == 0 || top.open == hclsyntax.TokenOBrace):
			// The end of one item: the next starts afresh.
			depth -= top.ops
			top.ops = 0
		case t.Type == hclsyntax.TokenIdent && afterControl:
			switch string(t.Bytes) {
			case "if", "for":
				directives++
			case "endif", "endfor":
				directives = max(0, directives-1)
			}
		}
		afterControl = t.Type == hclsyntax.TokenTemplateControl
		if depth+directives > limit {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Nesting too deep",
				Detail: fmt.Sprintf("Brackets, templates and operators nest more than %d levels deep here; "+
					"split the expression, or name its parts with locals.", limit),
				Subject: t.Range.Ptr()}
		}
	}
	return nil
}

// closesTerm is whether a token ends a term that a following `[` indexes.
func closesTerm(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenIdent, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCBrace,
		hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
		return true
	}
	return false
}

// checkLiterals refuses what makes a file more than data: function calls,
// references, for expressions and splats. A bare object key (`{a = 1}`)
// is a name, not a reference.
func checkLiterals(f *hcl.File) hcl.Diagnostics {
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	w := &literalWalker{keys: map[hclsyntax.Expression]bool{}}
	return hclsyntax.Walk(body, w)
}

type literalWalker struct {
	keys map[hclsyntax.Expression]bool
}

func (w *literalWalker) Enter(n hclsyntax.Node) hcl.Diagnostics {
	what := ""
	switch n := n.(type) {
	case *hclsyntax.ObjectConsKeyExpr:
		if !n.ForceNonLiteral {
			w.keys[n.Wrapped] = true
		}
	case *hclsyntax.FunctionCallExpr:
		what = "a function call"
	case *hclsyntax.ScopeTraversalExpr:
		if !w.keys[n] {
			what = "a reference"
		}
	case *hclsyntax.RelativeTraversalExpr, *hclsyntax.IndexExpr:
		what = "an index"
	case *hclsyntax.ForExpr:
		what = "a for expression"
	case *hclsyntax.SplatExpr:
		what = "a splat"
	}
	if what == "" {
		return nil
	}
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Only literal values allowed",
		Detail:  fmt.Sprintf("This file is data: write strings, numbers, booleans, lists and objects, not %s.", what),
		Subject: n.Range().Ptr()}}
}

func (w *literalWalker) Exit(hclsyntax.Node) hcl.Diagnostics { return nil }

// checkValueSize reports whether v is larger than limit; see valueSize.
func checkValueSize(v cty.Value, limit int) error {
	size := 0
	err := cty.Walk(v, func(_ cty.Path, e cty.Value) (bool, error) {
		size++
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			size += len(e.AsString())
		}
		if size > limit {
			return false, fmt.Errorf("the value is larger than the limit of %s", byteSize(int64(limit)))
		}
		return true, nil
	})
	return err
}

// valueSize is how large v is: strings count their bytes, every value
// one more.
func valueSize(v cty.Value) int {
	size := 0
	_ = cty.Walk(v, func(_ cty.Path, e cty.Value) (bool, error) {
		size++
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			size += len(e.AsString())
		}
		return true, nil
	})
	return size
}
