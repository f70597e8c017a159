// Package page draws a run as one self-contained HTML page: the lab, a
// sequence diagram of every datagram or segment against what the link did
// to it (the ground truth), per-role figures (ping RTTs, heartbeat
// timelines, a web request waterfall) and the summary table.
//
// A Trace is the page's data, built from a run's events (run.Event, link
// events included) by a Recorder, which observes a run as host/output
// does. The lanes, packets and summary are every component's; the rest
// each role draws itself, with the Figure its labs.Role registers
// (package figure), so nothing here looks at a role's events. Write
// renders a Trace with html/template; the figures are SVG drawn here, so
// the page needs no chart library and fetches nothing: CSS and the little
// script that sorts tables are inline and allowed by hash in the page's
// Content-Security-Policy. Live serves the page of a run in
// progress over HTTP, its figures updated through server-sent events, and
// once the run is over serves exactly what Write writes.
//
// A long run is windowed: the sequence diagram draws the first and last
// packets and those around every drop, late reply or anomaly, and says in
// words how many it left out; charts of more points than fit aggregate
// them. The page of 10,000 pings stays under a few MB (bench/page).
//
// Figures are legible without colour: the palette is Okabe and Ito's,
// safe for colour-blind readers, and every mark that colour tells apart
// also differs in shape or stroke; each figure has a text alternative and
// a table, and the page prints to PDF.
package page
