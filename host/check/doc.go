// Package check grades a component (a student's plugin or plain program)
// against a role's conformance suite, as `socklab check` does.
//
// A suite (Suite, an HCL file; the built-in ones are embedded, see
// BuiltinSuite) is a list of scenarios. A scenario is a small lab, written
// like a lab file, in which one component plays the suite's role (the
// component under test, whose plugin the grader supplies) against reference
// peers, over links with seeded impairments, plus named checks worth
// points and optional probes (raw datagrams or connections sent to a server
// under test before the clients start). A check judges the run against
// ground truth: what the links record of every datagram and segment (sent,
// dropped, delivered, when), the reference peers' own events and the
// probes' answers, never against the text of a reference's output. Checks
// are Go functions per role (Checks lists them); a failed check says in
// words what was expected and what happened.
//
// RunScenario runs one scenario; Grade runs a suite against many
// submissions, each scenario of each submission in a child process and a
// network namespace of its own (a re-executed `socklab check --one`, see
// RunOne; isolate.Isolation.Run starts every one), with bounded parallelism and a time
// limit per submission, so that plain programs that all hard-code port
// 12000 can be graded side by side, a hung or crashed one affects no
// other, and nothing of one scenario (a socket in TIME_WAIT, a process
// left running) reaches the next (package isolate). The outcome is a
// report.Report, written as a table, as JSON, as JUnit XML, as
// Gradescope's results.json and as HTML pages; submission finds what
// each student handed in.
package check
