// Package lab reads socklab lab files: HCL files that name the components
// of a lab (one block per component, typed by its role), how to run each
// one's plugin, and their settings, which may refer to each other
// (`server = ping_server.reference.address`). Errors come back as HCL
// diagnostics with file, line, column and the offending source.
package lab

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/proto/roles"
)

// Defaults of the lab block.
const (
	DefaultTimeout      = 2 * time.Minute
	DefaultStartTimeout = 10 * time.Second
)

// Lab is a loaded lab file.
type Lab struct {
	// Path is the lab file as named; Dir is its absolute directory, against
	// which relative paths in it are resolved.
	Path, Dir string
	Name      string
	// Seed drives every random choice of the run; SeedOrigin says where it
	// came from ("lab file", "--seed", "random").
	Seed       int64
	SeedOrigin string
	// Timeout bounds the clients' run; Duration is how long a lab with no
	// clients runs (0: until interrupted).
	Timeout, Duration time.Duration
	// Direct: no links by default (`links = false`); clients reach servers
	// themselves.
	Direct bool
	// Capture is the pcap file to write all link traffic to ("" none).
	Capture string
	// Components in dependency order: each after those it refers to.
	Components []*Component

	files  map[string]*hcl.File
	vars   map[string]cty.Value
	locals map[string]cty.Value
	lim    Limits
	roles  *roles.Registry
	// base is what every expression sees once locals are evaluated;
	// built once, as a lab may have thousands of components.
	base *hcl.EvalContext
	// stop is the load's context: functions refuse to run once it is done.
	stop  context.Context
	funcs map[string]function.Function
}

// Component is one block of the lab file.
type Component struct {
	Name   string
	Role   roles.Role
	Plugin PluginSpec
	// Link is a client's network to its server.
	Link LinkSpec
	// Config is the role's settings as the lab file gives them, servers'
	// addresses as configured (a server bound to port 0 learns its real port
	// only when it runs; see Scope).
	Config proto.Message
	// DeclRange is the block header, for diagnostics about the whole
	// component; NameRange its label.
	DeclRange, NameRange hcl.Range

	attrs hcl.Attributes
	deps  []*Component
}

func (c *Component) String() string { return c.Role.Name + "." + c.Name }

// Deps are the components c's settings refer to; l.Components lists them
// before c.
func (c *Component) Deps() []*Component { return slices.Clone(c.deps) }

// Options are the command-line overrides of a lab file.
type Options struct {
	// Vars sets variables, name to value as typed on the command line.
	Vars map[string]string
	// Seed, when not nil, overrides the lab's seed.
	Seed *int64
	// Limits bound the file and the values it makes; zero fields are
	// those of DefaultLimits.
	Limits Limits
	// Roles are the roles a lab may use: host/labs.Builtin().Roles(), the
	// sheet's roles with what shows, reads and judges them, and any a
	// program adds. Required.
	Roles *roles.Registry
}

// Load reads and checks a lab file; see LoadContext.
func Load(path string, opts Options) (*Lab, hcl.Diagnostics) {
	return LoadContext(context.Background(), path, opts)
}

// LoadContext reads and checks a lab file within opts.Limits, and returns
// soon after ctx is done, with an "Interrupted" diagnostic. The Lab is
// returned even with error diagnostics, so that they can be printed with
// its source.
func LoadContext(ctx context.Context, path string, opts Options) (*Lab, hcl.Diagnostics) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return &Lab{Path: path}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot resolve lab file path", Detail: err.Error()}}
	}
	file, diags := ReadHCL(ctx, path, opts.Limits)
	files := map[string]*hcl.File{path: file}
	if diags.HasErrors() {
		return &Lab{Path: path, Dir: filepath.Dir(abs), files: files}, diags
	}
	l, d := LoadBodyContext(ctx, path, filepath.Dir(abs), file.Body, files, opts)
	diags = append(diags, d...)
	if !diags.HasErrors() && len(l.Components) == 0 {
		// Nothing would run, and a lab without clients runs until stopped.
		start := hcl.Pos{Line: 1, Column: 1}
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No components",
			Detail:  "A lab needs at least one component block, such as ping_server \"reference\" {} or ping_client \"student\" { ... }.",
			Subject: &hcl.Range{Filename: path, Start: start, End: start}})
	}
	return l, diags
}

// LoadBody reads a lab from body; see LoadBodyContext.
func LoadBody(path, dir string, body hcl.Body, files map[string]*hcl.File, opts Options) (*Lab, hcl.Diagnostics) {
	return LoadBodyContext(context.Background(), path, dir, body, files, opts)
}

// LoadBodyContext reads a lab from body, which holds what a lab file holds
// but may be part of another file (a scenario of a check suite, whose own
// attributes the caller has taken out with PartialContent). Relative paths
// resolve against dir; files are the parsed sources, for diagnostics. It
// returns soon after ctx is done.
func LoadBodyContext(ctx context.Context, path, dir string, body hcl.Body, files map[string]*hcl.File, opts Options) (*Lab, hcl.Diagnostics) {
	type loaded struct {
		lab   *Lab
		diags hcl.Diagnostics
	}
	// Expressions cannot be interrupted; the load checks ctx between
	// them, and an expression that runs on is left to end on its own.
	done := make(chan loaded, 1)
	go func() {
		l, diags := loadBody(ctx, path, dir, body, files, opts)
		done <- loaded{l, diags}
	}()
	select {
	case r := <-done:
		if ctx.Err() == nil {
			return r.lab, r.diags
		}
	case <-ctx.Done():
	}
	return &Lab{Path: path, Dir: dir, files: files}, hcl.Diagnostics{stopped(ctx, path, 0)}
}

func loadBody(ctx context.Context, path, dir string, body hcl.Body, files map[string]*hcl.File, opts Options) (*Lab, hcl.Diagnostics) {
	l := &Lab{Path: path, Dir: dir, files: files, lim: opts.Limits.orDefaults(), stop: ctx, roles: opts.Roles}
	if l.roles == nil {
		return l, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No roles",
			Detail: "the lab was read without a role registry (lab.Options.Roles)"}}
	}
	content, diags := body.Content(l.fileSchema())

	diags = append(diags, l.loadVariables(content.Blocks.OfType("variable"), opts.Vars)...)
	diags = append(diags, l.loadLocals(ctx, content.Blocks.OfType("locals"))...)
	if diags.HasErrors() || ctx.Err() != nil {
		return l, diags
	}
	diags = append(diags, l.loadSettings(content.Blocks.OfType("lab"), opts.Seed)...)
	diags = append(diags, l.loadComponents(ctx, content.Blocks)...)
	if diags.HasErrors() || ctx.Err() != nil {
		return l, diags
	}
	scope := l.NewScope()
	for i, c := range l.Components {
		if i%256 == 0 && ctx.Err() != nil {
			return l, diags
		}
		cfg, d := scope.Decode(c)
		diags = append(diags, d...)
		c.Config = cfg
	}
	return l, diags
}

// Files returns the parsed source files, for printing diagnostics.
func (l *Lab) Files() map[string]*hcl.File { return l.files }

// Servers and Clients split the components by kind, in dependency order.
func (l *Lab) Servers() []*Component { return l.ofSide(roles.Server) }

// Clients returns the client components in dependency order.
func (l *Lab) Clients() []*Component { return l.ofSide(roles.Client) }

func (l *Lab) ofSide(k roles.Side) []*Component {
	var cs []*Component
	for _, c := range l.Components {
		if c.Role.Side == k {
			cs = append(cs, c)
		}
	}
	return cs
}

func (l *Lab) fileSchema() *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "lab"},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
	}}
	for _, r := range l.roles.All() {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: r.Name, LabelNames: []string{"name"}})
	}
	return s
}

func (l *Lab) loadSettings(blocks hcl.Blocks, seedFlag *int64) hcl.Diagnostics {
	l.Timeout = DefaultTimeout
	var diags hcl.Diagnostics
	seedSet := false
	if len(blocks) > 1 {
		diags = append(diags, duplicate("lab block", "", blocks[1].DefRange, blocks[0].DefRange))
	}
	if len(blocks) > 0 {
		content, d := blocks[0].Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{
			{Name: "name"}, {Name: "seed"}, {Name: "timeout"}, {Name: "duration"},
			{Name: "links"}, {Name: "capture"},
		}})
		diags = append(diags, d...)
		ctx := l.baseContext()
		for _, a := range sortedAttrs(content.Attributes) {
			switch a.Name {
			case "name":
				diags = append(diags, decodeString(a, ctx, &l.Name)...)
			case "seed":
				diags = append(diags, decodeInt(a, ctx, &l.Seed)...)
				seedSet = true
			case "timeout":
				diags = append(diags, decodeDuration(a, ctx, &l.Timeout, true)...)
			case "duration":
				diags = append(diags, decodeDuration(a, ctx, &l.Duration, false)...)
			case "links":
				links := true
				diags = append(diags, decodeBool(a, ctx, &links)...)
				l.Direct = !links
			case "capture":
				diags = append(diags, decodeString(a, ctx, &l.Capture)...)
				if l.Capture != "" {
					l.Capture = l.abs(l.Capture)
				}
			}
		}
	}
	switch {
	case seedFlag != nil:
		l.Seed, l.SeedOrigin = *seedFlag, "--seed"
	case seedSet:
		l.SeedOrigin = "lab file"
	default:
		var b [8]byte
		_, _ = rand.Read(b[:])
		l.Seed, l.SeedOrigin = int64(binary.LittleEndian.Uint64(b[:])>>1), "random"
	}
	return diags
}

// ComponentSeed derives a component's seed from the lab's, so that one lab
// seed reproduces every component's random choices.
func (l *Lab) ComponentSeed(c *Component) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", l.Seed, c.Name)
	return int64(h.Sum64() >> 1)
}

func (l *Lab) loadComponents(ctx context.Context, blocks hcl.Blocks) hcl.Diagnostics {
	var diags hcl.Diagnostics
	byName := map[string]*Component{}
	for i, b := range blocks {
		if i%256 == 0 && ctx.Err() != nil {
			return diags
		}
		role, ok := l.roles.Lookup(b.Type)
		if !ok {
			continue
		}
		c := &Component{Name: b.Labels[0], Role: role, DeclRange: b.DefRange, NameRange: b.LabelRanges[0]}
		if prev, dup := byName[c.Name]; dup {
			diags = append(diags, duplicate("component name", c.Name, c.NameRange, prev.NameRange))
			continue
		}
		byName[c.Name] = c
		content, d := b.Body.Content(settingsSchema(role))
		diags = append(diags, d...)
		c.attrs = content.Attributes
		spec, d := l.decodePlugin(content.Blocks.OfType("plugin"), b)
		diags = append(diags, d...)
		c.Plugin = spec
		diags = append(diags, l.decodeLink(c, content.Blocks.OfType("link"))...)
		l.Components = append(l.Components, c)
	}
	diags = append(diags, l.resolveReferences()...)
	if !diags.HasErrors() {
		diags = append(diags, l.sortByDependency()...)
	}
	return diags
}

func duplicate(what, name string, at, first hcl.Range) *hcl.Diagnostic {
	at1 := fmt.Sprintf("%s:%d:%d", first.Filename, first.Start.Line, first.Start.Column)
	detail := fmt.Sprintf("A %s can be given only once; the first is at %s.", what, at1)
	if name != "" {
		detail = fmt.Sprintf("The %s %q is already used at %s; names must be unique in a lab.", what, name, at1)
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate " + what, Detail: detail, Subject: at.Ptr()}
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	var as []*hcl.Attribute
	for _, a := range attrs {
		as = append(as, a)
	}
	sort.Slice(as, func(i, j int) bool { return as[i].Range.Start.Byte < as[j].Range.Start.Byte })
	return as
}

// Functions are the HCL functions a lab file may call, for files that hold
// labs (a check suite) and evaluate their own attributes like one.
func Functions() map[string]function.Function { return functions() }

// SortedAttrs returns attributes in the order they are written.
func SortedAttrs(attrs hcl.Attributes) []*hcl.Attribute { return sortedAttrs(attrs) }
