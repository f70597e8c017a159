package report

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/socklab/socklab/host/page"
)

// The report's pages: index.html, a row per submission and a column per
// scenario, and a page per submission in students/ where each failed
// scenario shows its checks' evidence and its run's sequence diagram
// with the packets the evidence names highlighted. They are parsed at the
// first report written: every socklab process would pay for them at
// start-up.

var gradeTemplates = sync.OnceValue(func() *template.Template { return page.Templates(gradeTemplateText) })

const gradeTemplateText = `
{{define "index"}}{{template "head" .Shell}}<body>
<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false">{{template "defs"}}</svg>
<main id="main">
<h1>{{.Role}} suite: {{len .Rows}} submission{{if ne (len .Rows) 1}}s{{end}}</h1>
<p>Suite <code>{{.Suite}}</code>, graded {{.Started}} in {{.Elapsed}}; isolation {{.Isolation}}, {{.Jobs}} at a time. {{if .Passed}}<span class="ok">Every submission passed.</span>{{else}}<span class="fail">Not every submission passed.</span>{{end}} Points in all: {{.Points}}.</p>
<p>Scenarios and checks marked <span class="extra">extra</span> ask for more than the lab sheet does; their points are counted apart from the sheet's. Click a column's name to sort by it, a cell to see its evidence.</p>
<table class="sortable grades">
<thead><tr><th scope="col"><button>student</button></th><th scope="col" class="num"><button>points</button></th><th scope="col" class="num"><button>extra points</button></th><th scope="col"><button>result</button></th>{{range .Scenarios}}<th scope="col"><button>{{.Name}}</button>{{if .Extra}} <span class="extra">extra</span>{{else if .ExtraChecks}} <span class="extra" title="{{.ExtraChecks}}">has extra checks</span>{{end}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}
<tr><th scope="row"><a href="{{.Href}}">{{.Name}}</a></th><td class="num" data-sort="{{.Points}}">{{.PointsText}}</td><td class="num" data-sort="{{.Extra}}">{{.ExtraText}}</td><td data-sort="{{.Passed}}"><span class="{{if .Passed}}ok{{else}}fail{{end}}">{{.Result}}</span>{{with .Error}}<br>{{.}}{{end}}</td>{{range .Cells}}<td data-sort="{{.Points}}"><a href="{{.Href}}"><span class="{{if .Passed}}ok{{else}}fail{{end}}">{{.Result}}</span> {{.PointsText}}</a></td>{{end}}</tr>{{end}}
</tbody></table>
</main>
{{template "foot" .Shell}}{{end}}

{{define "submission"}}{{template "head" .Shell}}<body>
<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false">{{template "defs"}}</svg>
<main id="main">
<p class="noprint"><a href="../index.html">All submissions</a></p>
<h1>{{.Name}}: {{.PointsText}} points</h1>
<p>{{.Role}} suite <code>{{.Suite}}</code> against <code>{{.Component}}</code>: <span class="{{if .Passed}}ok{{else}}fail{{end}}">{{.Result}}</span>{{with .ExtraText}}; and {{.}} extra, from checks marked <span class="extra">extra</span>, counted apart from the sheet's points{{end}}.</p>
{{with .Error}}<p class="fail">{{.}}</p>{{end}}
<table>
<thead><tr><th scope="col">scenario</th><th scope="col">result</th><th scope="col" class="num">points</th></tr></thead>
<tbody>{{range .Scenarios}}<tr><td><a href="#{{.Anchor}}">{{.Name}}</a>{{if .Extra}} <span class="extra">extra</span>{{end}}</td><td><span class="{{if .Passed}}ok{{else}}fail{{end}}">{{.Result}}</span></td><td class="num">{{.PointsText}}</td></tr>
{{end}}</tbody></table>
{{range .Scenarios}}
<section id="{{.Anchor}}">
<h2>{{.Name}}{{if .Extra}} <span class="extra">extra</span>{{end}}: <span class="{{if .Passed}}ok{{else}}fail{{end}}">{{.Result}}</span> {{.PointsText}}</h2>
{{with .Description}}<p>{{.}}</p>{{end}}
<p>Seed {{.Seed}}: the link's drops follow from it.</p>
{{with .Error}}<p class="fail">{{.}}</p>{{end}}
<table>
<thead><tr><th scope="col">check</th><th scope="col">result</th><th scope="col" class="num">points</th><th scope="col">evidence: what was expected and what was seen</th></tr></thead>
<tbody>{{range .Checks}}<tr><td>{{.Name}}{{if .Extra}} <span class="extra">extra</span>{{end}}</td><td>{{if .Passed}}<span class="ok">pass</span>{{else}}<span class="fail">FAIL</span>{{end}}</td><td class="num">{{.PointsText}}</td><td>{{if .Evidence}}<ul class="evidence">{{range .Evidence}}<li>{{.}}</li>{{end}}</ul>{{end}}</td></tr>
{{end}}</tbody></table>
{{with .Figures}}
<h3>The run of this scenario</h3>
<p>{{if .Highlighted}}Highlighted (▶, on yellow): {{.Highlighted}}, named in the evidence.{{else}}The evidence names no single packet.{{end}}</p>
{{template "seq" .Seq}}
{{range .Pings}}{{template "ping" .}}{{end}}
{{range .Beats}}{{template "beat" .}}{{end}}
{{with .Web}}{{template "web" .}}{{end}}
{{end}}
</section>
{{end}}
</main>
{{template "foot" .Shell}}{{end}}
`

type indexPage struct {
	Shell                                    page.Shell
	Role, Suite, Started, Elapsed, Isolation string
	Jobs                                     int
	Passed                                   bool
	Points                                   string
	Scenarios                                []scenarioColumn
	Rows                                     []indexRow
}

type scenarioColumn struct {
	Name        string
	Extra       bool
	ExtraChecks string
}

type indexRow struct {
	Name, Href, PointsText, ExtraText, Error, Result string
	Points, Extra                                    float64
	Passed                                           bool
	Cells                                            []indexCell
}

type indexCell struct {
	Href, PointsText, Result string
	Points                   float64
	Passed                   bool
}

type submissionPage struct {
	Shell                               page.Shell
	Name, Role, Suite, Component, Error string
	PointsText, ExtraText, Result       string
	Passed                              bool
	Scenarios                           []scenarioSection
	Highlight                           []string
}

type scenarioSection struct {
	Name, Anchor, Description, Error, PointsText, Result string
	Seed                                                 int64
	Passed, Extra                                        bool
	Checks                                               []checkRow
	Figures                                              *scenarioFigures
}

type checkRow struct {
	Name, PointsText string
	Passed, Extra    bool
	Evidence         []string
}

type scenarioFigures struct {
	page.Figures
	Highlighted string
}

// submissionFile is where a submission's page goes, relative to the
// report directory.
func pageFile(name string) string { return "students/" + safeName(name) + ".html" }

// pageHref is pageFile as a link: a name may hold "#", "?" or spaces.
func pageHref(name string) string { return "students/" + url.PathEscape(safeName(name)) + ".html" }

func ratio(p, max float64) string { return Points(p) + "/" + Points(max) }

// WriteHTML writes index.html and a page per submission into dir.
func (r *Report) WriteHTML(dir string) error {
	ix := indexPage{Shell: page.NewShell(fmt.Sprintf("socklab: %s suite", r.Role), ""), Role: r.Role, Suite: r.Suite,
		Started: r.Started.UTC().Format("2006-01-02 15:04 UTC"), Elapsed: (time.Duration(r.ElapsedSeconds * float64(time.Second))).Round(100 * time.Millisecond).String(),
		Isolation: r.Isolation, Jobs: r.Jobs, Passed: r.Passed, Points: ratio(r.SheetPoints, r.SheetMaxPoints)}
	if r.MaxPoints > r.SheetMaxPoints {
		ix.Points += fmt.Sprintf(" of the sheet, and %s extra", ratio(r.Points-r.SheetPoints, r.MaxPoints-r.SheetMaxPoints))
	}
	if len(r.Submissions) > 0 {
		for _, sc := range r.Submissions[0].Scenarios {
			col := scenarioColumn{Name: sc.Name, Extra: sc.Extra}
			for _, c := range sc.Checks {
				if c.Extra {
					if col.ExtraChecks != "" {
						col.ExtraChecks += ", "
					}
					col.ExtraChecks += c.Name
				}
			}
			ix.Scenarios = append(ix.Scenarios, col)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "students"), 0o755); err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	for _, s := range r.Submissions {
		file, href := pageFile(s.Name), pageHref(s.Name)
		row := indexRow{Name: s.Name, Href: href, Points: s.SheetPoints, PointsText: ratio(s.SheetPoints, s.SheetMaxPoints), Extra: s.ExtraPoints,
			Passed: s.Passed, Result: s.result(), Error: FirstLine(s.Error)}
		if s.ExtraMaxPoints > 0 {
			row.ExtraText = ratio(s.ExtraPoints, s.ExtraMaxPoints)
		}
		sp := submissionPage{Shell: page.NewShell("socklab: "+s.Name, ""), Name: s.Name, Role: r.Role, Suite: r.Suite,
			Component: s.Component, Error: s.Error, PointsText: row.PointsText, ExtraText: row.ExtraText, Passed: s.Passed, Result: row.Result}
		for i, sc := range s.Scenarios {
			anchor := fmt.Sprintf("scenario-%d", i+1)
			row.Cells = append(row.Cells, indexCell{Href: href + "#" + anchor, PointsText: sc.pointsText(), Points: sc.Points, Passed: sc.Passed, Result: sc.result()})
			sec := scenarioSection{Name: sc.Name, Anchor: anchor, Description: sc.Description, Error: sc.Error, Seed: sc.Seed,
				PointsText: sc.pointsText(), Passed: sc.Passed, Result: sc.result(), Extra: sc.Extra}
			for _, c := range sc.Checks {
				sec.Checks = append(sec.Checks, checkRow{Name: c.Name, PointsText: ratio(c.Points, c.MaxPoints), Passed: c.Passed, Extra: c.Extra, Evidence: c.Evidence})
			}
			if sc.Trace != nil {
				sec.Figures = &scenarioFigures{Figures: sc.Trace.Figures()}
				for i, k := range sc.Trace.Highlight {
					if i > 0 {
						sec.Figures.Highlighted += ", "
					}
					sec.Figures.Highlighted += k
				}
			}
			sp.Scenarios = append(sp.Scenarios, sec)
		}
		ix.Rows = append(ix.Rows, row)
		if err := writeTemplate(filepath.Join(dir, file), "submission", sp); err != nil {
			return err
		}
	}
	return writeTemplate(filepath.Join(dir, "index.html"), "index", ix)
}

func writeTemplate(path, name string, data any) error {
	var b bytes.Buffer
	if err := gradeTemplates().ExecuteTemplate(&b, name, data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	return nil
}
